package assistant

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"nightfloat"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"nightfloat/clinician"
	"nightfloat/postgres/postgrestest"
	"nightfloat/screening"
)

// recordingPager keeps every page.
type recordingPager struct {
	mu    sync.Mutex
	pages []Page
}

func (p *recordingPager) Page(_ context.Context, pg Page) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.pages = append(p.pages, pg)
	return nil
}

func (p *recordingPager) all() []Page {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.pages)
}

// screenWorld is a service on a fresh database, with an audit log and a pager.
type screenWorld struct {
	t     *testing.T
	ctx   context.Context
	db    *postgrestest.DB
	svc   *Service
	pager *recordingPager
	audit *clinician.Audit
}

func newScreenWorld(t *testing.T, o Options) *screenWorld {
	t.Helper()
	db := postgrestest.New(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	pager := &recordingPager{}
	audit := clinician.NewAudit(db.Pool)
	svc := NewService(Deps{Store: NewStore(db.Pool), Hub: NewHub(), Audit: audit, Pager: pager,
		Crisis: CrisisResources{Institution: "Test General", OncallPhone: "555-0100", OncallLabel: "Test on-call"}}, o)
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = svc.Shutdown(sctx)
	})
	return &screenWorld{t: t, ctx: ctx, db: db, svc: svc, pager: pager, audit: audit}
}

func (w *screenWorld) conversation(role nightfloat.Role) Conversation {
	w.t.Helper()
	c, _, err := w.svc.Start(w.ctx, role)
	if err != nil {
		w.t.Fatal(err)
	}
	return c
}

func (w *screenWorld) messages(convID string) []Message {
	w.t.Helper()
	msgs, err := w.svc.MessagesAfter(w.ctx, convID, 0, 500)
	if err != nil {
		w.t.Fatal(err)
	}
	return msgs
}

func (w *screenWorld) mode(convID string) string {
	w.t.Helper()
	c, err := w.svc.Conversation(w.ctx, convID)
	if err != nil {
		w.t.Fatal(err)
	}
	return c.Mode
}

func (w *screenWorld) counsellor() Clinician {
	w.t.Helper()
	var id int64
	if err := w.db.Pool.QueryRow(w.ctx, `INSERT INTO clinicians (username, display_name, password_hash, roles)
		VALUES ('cara', 'Cara', 'x', '{counsellor}') RETURNING id`).Scan(&id); err != nil {
		w.t.Fatal(err)
	}
	return Clinician{ID: id, Name: "Cara", Actor: clinician.ActorClinician(id)}
}

// answers is a complete screen of id whose items are set to v, with extra set last.
func answers(id screening.ID, v int, extra screening.Responses) screening.Responses {
	in, _ := screening.Lookup(id)
	r := screening.Responses{}
	for _, q := range in.Items {
		if q.Scored {
			r[q.ID] = max(v, q.Options[0].Value)
		}
	}
	for k, x := range extra {
		r[k] = x
	}
	return r
}

// TestScreenIsScoredStoredAndTold: a complete screen is scored with the published cut-offs,
// stored with its version, told to the resident in plain words with the reply deadline,
// raises the risk state's screen level (and nothing else), and a resend stores nothing new.
func TestScreenIsScoredStoredAndTold(t *testing.T) {
	w := newScreenWorld(t, Options{})
	conv := w.conversation("resident")
	// Items 1-4 at 3, 5 at 0 otherwise: 12, moderate, item 9 "Not at all".
	a := answers(screening.PHQ9, 0, screening.Responses{"phq9_1": 3, "phq9_2": 3, "phq9_3": 3, "phq9_4": 3, "phq9_difficulty": 2})
	out, err := w.svc.SubmitScreen(w.ctx, conv, "s1", screening.PHQ9, a)
	if err != nil {
		t.Fatal(err)
	}
	sc := out.Screen
	in, _ := screening.Lookup(screening.PHQ9)
	if !sc.Complete || sc.Result.Total != 12 || sc.Result.Band != "moderate" || !sc.Result.Positive || sc.Result.Level != nightfloat.LevelConcern ||
		sc.Version != in.Version() || sc.Result.Max != 27 || sc.Result.Answers["phq9_difficulty"] != 2 || out.HandoffID != 0 || out.Duplicate {
		t.Fatalf("stored %+v (outcome %+v)", sc, out)
	}
	if d := sc.ReplyDueAt.Sub(sc.CreatedAt); d < 24*time.Hour-time.Minute || d > 24*time.Hour+time.Minute {
		t.Errorf("reply due %v after the screen, want 24h", d)
	}
	msgs := w.messages(conv.ID)
	last := msgs[len(msgs)-1]
	if last.Seq != sc.SummarySeq || last.Author != AuthorSystem || last.Kind != KindText {
		t.Fatalf("last message %+v, want the summary at seq %d", last, sc.SummarySeq)
	}
	for _, want := range []string{"PHQ-9", "depression", "12 out of 27", "moderate range", "not a diagnosis", "a person, not the AI", "within 24 hours"} {
		if !strings.Contains(last.Body, want) {
			t.Errorf("summary %q lacks %q", last.Body, want)
		}
	}
	risk, err := w.svc.store.RiskState(w.ctx, conv.ID)
	if err != nil {
		t.Fatal(err)
	}
	var screenLevel string
	if err := w.db.Pool.QueryRow(w.ctx, `SELECT screen_level FROM conversation_risk WHERE conversation_id = $1`, conv.ID).Scan(&screenLevel); err != nil {
		t.Fatal(err)
	}
	if screenLevel != "concern" || risk.Memory.Level != nightfloat.LevelNone || len(risk.Memory.Signals) != 0 || w.mode(conv.ID) != ModeAI {
		t.Errorf("risk after a positive screen: screen_level %s, memory %+v, mode %s", screenLevel, risk.Memory, w.mode(conv.ID))
	}

	again, err := w.svc.SubmitScreen(w.ctx, conv, "s1", screening.PHQ9, a)
	if err != nil || !again.Duplicate || again.Screen.ID != sc.ID || len(w.messages(conv.ID)) != len(msgs) {
		t.Fatalf("resend: %+v, %v; %d messages, want %d", again, err, len(w.messages(conv.ID)), len(msgs))
	}

	// A lower screen afterwards never lowers the screen level.
	if _, err := w.svc.SubmitScreen(w.ctx, conv, "s2", screening.Burnout, screening.Responses{"burnout_1": 1}); err != nil {
		t.Fatal(err)
	}
	if err := w.db.Pool.QueryRow(w.ctx, `SELECT screen_level FROM conversation_risk WHERE conversation_id = $1`, conv.ID).Scan(&screenLevel); err != nil || screenLevel != "concern" {
		t.Errorf("screen level after a negative screen: %s (%v)", screenLevel, err)
	}
	if got := w.messages(conv.ID); !strings.Contains(got[len(got)-1].Body, "1 on a scale of 1 to 5") {
		t.Errorf("burnout summary %q", got[len(got)-1].Body)
	}
}

// TestScreenRefusals: an incomplete or invalid screen with no alert answer is refused with
// what is missing, and stores nothing; a client id is required.
func TestScreenRefusals(t *testing.T) {
	w := newScreenWorld(t, Options{})
	conv := w.conversation("nurse")
	before := len(w.messages(conv.ID))
	missing := answers(screening.GAD7, 1, nil)
	delete(missing, "gad7_3")
	for _, tc := range []struct {
		name, client string
		id           screening.ID
		a            screening.Responses
		want         string
	}{
		{"missing question", "c1", screening.GAD7, missing, "question 3 is unanswered"},
		{"out of range", "c2", screening.GAD7, answers(screening.GAD7, 1, screening.Responses{"gad7_1": 7}), "not an answer"},
		{"unknown instrument", "c3", "phq2", screening.Responses{"phq2_1": 1}, "unknown questionnaire"},
		{"no client id", "", screening.GAD7, answers(screening.GAD7, 1, nil), "client_id"},
		{"item 9 of another instrument", "c4", screening.GAD7, screening.Responses{"phq9_9": 3}, "does not have"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := w.svc.SubmitScreen(w.ctx, conv, tc.client, tc.id, tc.a)
			if nightfloat.ErrorCode(err) != nightfloat.CodeInvalid || !strings.Contains(nightfloat.ErrorMessage(err), tc.want) {
				t.Fatalf("got %v, want invalid saying %q", err, tc.want)
			}
		})
	}
	var n int
	if err := w.db.Pool.QueryRow(w.ctx, `SELECT count(*) FROM screens`).Scan(&n); err != nil || n != 0 || len(w.messages(conv.ID)) != before {
		t.Fatalf("refused screens stored %d screens and %d messages (%v)", n, len(w.messages(conv.ID))-before, err)
	}
}

// TestItem9HandsOffAtOnce: an answer above "Not at all" to PHQ-9 item 9 hands the
// conversation to a clinician in the same transaction as the screen, whether the screen is
// complete, incomplete or garbled: a handoff at urgent with the suicidal-ideation category,
// the AI silent, the notice with crisis resources, the red flag and the ideation signal in
// the risk state, a page to on-call and a crisis referral counted. A conversation a
// clinician already holds has its handoff raised, not a second one opened.
func TestItem9HandsOffAtOnce(t *testing.T) {
	var garbled screening.Responses
	if err := json.Unmarshal([]byte(`{"phq9_1": 0, "phq9_9": "yes"}`), &garbled); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		a        screening.Responses
		complete bool
		stored   screening.Responses // the answers kept
	}{
		{"complete, item 9 several days", answers(screening.PHQ9, 0, screening.Responses{"phq9_9": 1}), true, nil},
		{"only item 9 answered", screening.Responses{"phq9_9": 2}, false, screening.Responses{"phq9_9": 2}},
		{"item 9 garbled", garbled, false, screening.Responses{"phq9_1": 0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newScreenWorld(t, Options{})
			conv := w.conversation("resident")
			out, err := w.svc.SubmitScreen(w.ctx, conv, "s1", screening.PHQ9, tc.a)
			if err != nil {
				t.Fatal(err)
			}
			sc := out.Screen
			if out.HandoffID == 0 || !out.NewHandoff || sc.HandoffID != out.HandoffID || sc.Complete != tc.complete ||
				sc.Result.Level != nightfloat.LevelUrgent || !slices.Equal(sc.Result.Alerts, []string{"phq9_9"}) {
				t.Fatalf("outcome %+v", out)
			}
			if tc.stored != nil && fmt.Sprint(sc.Result.Answers) != fmt.Sprint(tc.stored) {
				t.Errorf("kept answers %v, want %v", sc.Result.Answers, tc.stored)
			}
			h, err := w.svc.Handoff(w.ctx, out.HandoffID)
			if err != nil {
				t.Fatal(err)
			}
			if h.Status != HandoffWaiting || h.Level != nightfloat.LevelUrgent || !slices.Equal(h.Categories, []string{"suicidal_ideation"}) || h.TriggerSeq != sc.SummarySeq {
				t.Errorf("handoff %+v", h)
			}
			if w.mode(conv.ID) != ModeHuman {
				t.Errorf("mode %s, want human: the AI must fall silent", w.mode(conv.ID))
			}
			msgs := w.messages(conv.ID)
			notice := msgs[len(msgs)-1]
			if notice.Kind != KindHandoff || !strings.Contains(notice.Body, "better off dead") || !strings.Contains(notice.Body, "988") ||
				!strings.Contains(notice.Body, "connecting you with a clinician") {
				t.Errorf("notice %+v", notice)
			}
			summary := msgs[len(msgs)-2].Body
			if !tc.complete && !strings.Contains(summary, "could not be scored") {
				t.Errorf("summary of an unscored screen: %q", summary)
			}
			if tc.complete && (!strings.Contains(summary, "question 9 matters more than the total") || strings.Contains(summary, "Few or no signs")) {
				t.Errorf("the summary of a low total with item 9 reassures: %q", summary)
			}
			risk, err := w.svc.store.RiskState(w.ctx, conv.ID)
			if err != nil {
				t.Fatal(err)
			}
			if risk.Memory.Level != nightfloat.LevelUrgent || !slices.Contains(risk.Memory.Categories, "suicidal_ideation") || !slices.Contains(risk.Memory.Signals, "ideation") {
				t.Errorf("risk state %+v", risk.Memory)
			}
			waitUntil(t, "a page and a referral", func() bool {
				var n int
				_ = w.db.Pool.QueryRow(w.ctx, `SELECT coalesce(sum(count), 0) FROM crisis_referrals WHERE kind = 'handoff' AND level = 'urgent' AND category = 'suicidal_ideation'`).Scan(&n)
				pages := w.pager.all()
				return n == 1 && len(pages) == 1 && pages[0].HandoffID == out.HandoffID
			})

			// A second item-9 screen while a clinician has the conversation raises the same
			// handoff and says the clinician can see it.
			again, err := w.svc.SubmitScreen(w.ctx, conv, "s2", screening.PHQ9, screening.Responses{"phq9_9": 3})
			if err != nil || again.HandoffID != out.HandoffID || again.NewHandoff {
				t.Fatalf("second item-9 screen: %+v, %v", again, err)
			}
			msgs = w.messages(conv.ID)
			if got := msgs[len(msgs)-1].Body; !strings.Contains(got, "clinician with this conversation can see") {
				t.Errorf("notice while a clinician has the conversation: %q", got)
			}
			var open int
			if err := w.db.Pool.QueryRow(w.ctx, `SELECT count(*) FROM handoffs WHERE conversation_id = $1`, conv.ID).Scan(&open); err != nil || open != 1 {
				t.Errorf("%d handoffs, want 1 (%v)", open, err)
			}
		})
	}
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestScreenRateLimitNeverHoldsBackItem9: past ScreensPerHour a screen is refused, unless
// it hands off.
func TestScreenRateLimitNeverHoldsBackItem9(t *testing.T) {
	w := newScreenWorld(t, Options{ScreensPerHour: 2})
	conv := w.conversation("fellow")
	for i := range 2 {
		if _, err := w.svc.SubmitScreen(w.ctx, conv, fmt.Sprint("b", i), screening.Burnout, screening.Responses{"burnout_1": 2}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.svc.SubmitScreen(w.ctx, conv, "b3", screening.Burnout, screening.Responses{"burnout_1": 2}); nightfloat.ErrorCode(err) != nightfloat.CodeRateLimited {
		t.Fatalf("third screen in an hour: %v, want rate_limited", err)
	}
	out, err := w.svc.SubmitScreen(w.ctx, conv, "p1", screening.PHQ9, answers(screening.PHQ9, 0, screening.Responses{"phq9_9": 1}))
	if err != nil || out.HandoffID == 0 {
		t.Fatalf("an item-9 screen past the limit: %+v, %v", out, err)
	}
}

// TestCounsellorReply: the reply becomes a clinician message marked as the counsellor's,
// with the next step's line, answers every waiting screen of that conversation (and no
// other), is audited in its transaction, and a second reply is a conflict. Without its
// audit entry nothing is stored.
func TestCounsellorReply(t *testing.T) {
	w := newScreenWorld(t, Options{})
	cara := w.counsellor()
	conv := w.conversation("student")
	other := w.conversation("nurse")
	first, err := w.svc.SubmitScreen(w.ctx, conv, "s1", screening.GAD7, answers(screening.GAD7, 2, nil))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.SubmitScreen(w.ctx, conv, "s2", screening.Burnout, screening.Responses{"burnout_1": 4}); err != nil {
		t.Fatal(err)
	}
	elsewhere, err := w.svc.SubmitScreen(w.ctx, other, "s1", screening.Burnout, screening.Responses{"burnout_1": 3})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ text, step, want string }{
		{"  ", "", "1 to"},
		{"hello", "psychic", "unknown next step"},
		{strings.Repeat("x", maxClinicianMessage+1), "", "1 to"},
	} {
		if _, err := w.svc.ReplyToScreen(w.ctx, cara, first.Screen.ID, tc.text, tc.step); nightfloat.ErrorCode(err) != nightfloat.CodeInvalid || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("reply %.10q step %q: %v, want invalid saying %q", tc.text, tc.step, err, tc.want)
		}
	}
	before := len(w.messages(conv.ID))
	unaudited := NewService(Deps{Store: w.svc.store, Hub: NewHub(), Audit: failingAuditor{}}, Options{})
	if _, err := unaudited.ReplyToScreen(w.ctx, cara, first.Screen.ID, "I read your answers.", ""); nightfloat.ErrorCode(err) != nightfloat.CodeUnavailable {
		t.Fatalf("reply without its audit entry: %v, want unavailable", err)
	}
	if len(w.messages(conv.ID)) != before {
		t.Fatal("a reply whose audit entry failed was stored")
	}

	text := "Hi, I'm Cara, one of the programme's counsellors. I read your answers — thank you for doing this."
	msg, err := w.svc.ReplyToScreen(w.ctx, cara, first.Screen.ID, text, "physician_support_line")
	if err != nil {
		t.Fatal(err)
	}
	if msg.Author != AuthorClinician || msg.Kind != KindText || !msg.Counsellor || !strings.HasPrefix(msg.Body, text) || !strings.Contains(msg.Body, "1-888-409-0141") {
		t.Fatalf("reply message %+v", msg)
	}
	// Replayed like any message, still marked as the counsellor's.
	replay := w.messages(conv.ID)
	if got := replay[len(replay)-1]; got.Seq != msg.Seq || !got.Counsellor || got.Body != msg.Body {
		t.Errorf("replayed %+v", got)
	}
	screens, err := w.svc.ConversationScreens(w.ctx, conv.ID)
	if err != nil || len(screens) != 2 {
		t.Fatalf("screens %+v, %v", screens, err)
	}
	for _, sc := range screens {
		if !sc.Replied() || sc.ReplySeq != msg.Seq || sc.NextStep != "physician_support_line" {
			t.Errorf("screen %d after the reply: %+v", sc.ID, sc)
		}
	}
	if others, _ := w.svc.ConversationScreens(w.ctx, other.ID); others[0].Replied() {
		t.Error("a reply in one conversation answered another's screen")
	}
	if _, err := w.svc.ReplyToScreen(w.ctx, cara, first.Screen.ID, "again", ""); nightfloat.ErrorCode(err) != nightfloat.CodeConflict {
		t.Errorf("a second reply: %v, want conflict", err)
	}
	if _, err := w.svc.ReplyToScreen(w.ctx, cara, elsewhere.Screen.ID+1000, "lost", ""); nightfloat.ErrorCode(err) != nightfloat.CodeNotFound {
		t.Errorf("an unknown screen: %v, want not found", err)
	}
	entries, err := w.audit.List(w.ctx, time.Time{}, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Action != "screen.reply" || entries[0].Actor != cara.Actor ||
		entries[0].Target != fmt.Sprint("screen:", first.Screen.ID) || fmt.Sprint(entries[0].Detail["next_step"]) != "physician_support_line" ||
		fmt.Sprint(entries[0].Detail["screens"]) != fmt.Sprintf("[%d %d]", first.Screen.ID, first.Screen.ID+1) {
		t.Errorf("audit log %+v", entries)
	}
	if strings.Contains(fmt.Sprint(entries), "Cara, one of") {
		t.Error("the audit entry holds the reply's text")
	}
}

// TestScreensAwaitingMostPressingFirst: the counsellor's queue groups a conversation's
// waiting screens, puts the item-9 conversation first and then the more severe, and drops
// a conversation once answered.
func TestScreensAwaitingMostPressingFirst(t *testing.T) {
	w := newScreenWorld(t, Options{})
	cara := w.counsellor()
	calm := w.conversation("attending")
	severe := w.conversation("resident")
	item9 := w.conversation("fellow")
	mild := w.conversation("app")
	submit := func(c Conversation, client string, id screening.ID, a screening.Responses) ScreenOutcome {
		t.Helper()
		out, err := w.svc.SubmitScreen(w.ctx, c, client, id, a)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	submit(calm, "a", screening.Burnout, screening.Responses{"burnout_1": 1})
	submit(severe, "a", screening.GAD7, answers(screening.GAD7, 1, nil))                              // 7: mild
	submit(severe, "b", screening.PHQ9, answers(screening.PHQ9, 2, screening.Responses{"phq9_9": 0})) // 16: moderately severe
	submit(item9, "a", screening.PHQ9, screening.Responses{"phq9_9": 1})                              // urgent, unscored
	done := submit(mild, "a", screening.GAD7, answers(screening.GAD7, 2, nil))                        // 14: moderate
	if _, err := w.svc.ReplyToScreen(w.ctx, cara, done.Screen.ID, "Thanks for checking in.", ""); err != nil {
		t.Fatal(err)
	}
	cases, err := w.svc.ScreensAwaiting(w.ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range cases {
		got = append(got, fmt.Sprintf("%s:%d", c.Role, len(c.Screens)))
	}
	if want := "[fellow:1 resident:2 attending:1]"; fmt.Sprint(got) != want {
		t.Fatalf("queue %v, want %s", got, want)
	}
	if cases[0].HandoffID == 0 || cases[1].HandoffID != 0 || cases[1].Pressing.Result.Instrument != screening.PHQ9 ||
		cases[1].Pressing.Result.Total != 16 || cases[1].Pseudonym == "" {
		t.Errorf("cases %+v", cases)
	}
	if cases[0].Overdue(time.Now()) || !cases[0].Overdue(time.Now().Add(25*time.Hour)) {
		t.Error("a fresh screen's deadline is not 24 hours out")
	}
}

// TestOverdueScreensAreReAlerted: once a screen's reply is overdue, the watch pages about
// it (a screen page, never a handoff one) and counts the re-alert, once per
// ScreenReAlertEvery; an answered screen is never re-alerted.
func TestOverdueScreensAreReAlerted(t *testing.T) {
	w := newScreenWorld(t, Options{ScreenReplyWithin: time.Second, ScreenReAlertEvery: time.Hour})
	cara := w.counsellor()
	conv := w.conversation("resident")
	late, err := w.svc.SubmitScreen(w.ctx, conv, "a", screening.Burnout, screening.Responses{"burnout_1": 5})
	if err != nil {
		t.Fatal(err)
	}
	answered := w.conversation("nurse")
	ok, err := w.svc.SubmitScreen(w.ctx, answered, "a", screening.Burnout, screening.Responses{"burnout_1": 5})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.ReplyToScreen(w.ctx, cara, ok.Screen.ID, "Here for you.", "eap"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(w.messages(conv.ID)[1].Body, "within 1 minute") {
		t.Errorf("summary with a one-second deadline: %q", w.messages(conv.ID)[1].Body)
	}
	ctx, stop := context.WithCancel(w.ctx)
	done := make(chan struct{})
	go func() { defer close(done); w.svc.RunScreenWatch(ctx, 50*time.Millisecond) }()
	waitUntil(t, "a page about the overdue screen", func() bool { return len(w.pager.all()) > 0 })
	time.Sleep(300 * time.Millisecond) // more ticks: no second page within the hour
	stop()
	<-done
	pages := w.pager.all()
	if len(pages) != 1 || pages[0].ScreenID != late.Screen.ID || pages[0].HandoffID != 0 || pages[0].Alert != 1 || pages[0].Level != nightfloat.LevelConcern {
		t.Fatalf("pages %+v", pages)
	}
	screens, _ := w.svc.ConversationScreens(w.ctx, conv.ID)
	if screens[0].ReAlerts != 1 || !screens[0].Overdue(time.Now()) {
		t.Errorf("screen after the re-alert %+v", screens[0])
	}
}

// TestWebhookPageLinksAScreenToTheCounsellorsPage: a screen's page carries its id and the
// counsellors' page, and no handoff id.
func TestWebhookPageLinksAScreenToTheCounsellorsPage(t *testing.T) {
	var got map[string]any
	srv := newPageRecorder(t, &got)
	p := WebhookPager{URL: srv, ConsoleURL: "https://nightfloat.test/console/"}
	if err := p.Page(context.Background(), Page{ScreenID: 7, Level: nightfloat.LevelConcern, Alert: 2}); err != nil {
		t.Fatal(err)
	}
	if got["screen_id"] != float64(7) || got["console_url"] != "https://nightfloat.test/console/screens" {
		t.Errorf("page %v", got)
	}
	if _, ok := got["handoff_id"]; ok {
		t.Errorf("a screen's page names a handoff: %v", got)
	}
}

// newPageRecorder serves a webhook that decodes one page into got, and returns its URL.
func newPageRecorder(t *testing.T, got *map[string]any) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := json.NewDecoder(r.Body).Decode(got); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}
