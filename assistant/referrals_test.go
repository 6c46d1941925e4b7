package assistant_test

import (
	"context"
	"nightfloat"
	"slices"
	"testing"
	"time"

	"nightfloat/assistant"
)

// TestReferralLogFromRealTurns runs real turns (the real classifier, retrieval on the
// starter content, the vetted responder) and checks that each time a resident was shown
// crisis resources the log counted it, with nothing that points at the conversation.
func TestReferralLogFromRealTurns(t *testing.T) {
	f := newFixture(t)
	svc := f.service(t, func(d *assistant.Deps) {
		// Nobody on duty: the resident is also told at once where else to turn.
		d.Roster = assistant.RosterFunc(func(context.Context) (bool, error) { return false, nil })
	})
	ctx := context.Background()

	// A red flag: handoff notice with resources, and the unattended notice.
	conv, _, err := svc.Start(ctx, "resident")
	if err != nil {
		t.Fatal(err)
	}
	msg, _, err := svc.Submit(ctx, conv, "r1", "I'm going to kill myself tonight, I have the pills saved up")
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, svc, conv.ID, "the handoff notice", hasReplyTo(msg.Seq, assistant.AuthorSystem, assistant.KindHandoff))
	waitFor(t, svc, conv.ID, "the unattended notice", func(ms []assistant.Message) bool {
		return slices.ContainsFunc(ms, func(m assistant.Message) bool { return m.Kind == assistant.KindCrisis })
	})

	// Distress without a red flag: a supportive reply with resources.
	conv2, _, err := svc.Start(ctx, "resident")
	if err != nil {
		t.Fatal(err)
	}
	m2, _, err := svc.Submit(ctx, conv2, "c1", "I'm so burned out, I feel hopeless and empty after every shift")
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, svc, conv2.ID, "the concern reply", hasReplyTo(m2.Seq, assistant.AuthorAssistant, ""))

	// An ordinary question is not a referral.
	m3, _, err := svc.Submit(ctx, conv2, "c2", "how do I sleep after a run of nights")
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, svc, conv2.ID, "the ordinary reply", hasReplyTo(m3.Seq, assistant.AuthorAssistant, ""))

	// A clinician resolves the handoff.
	h, clinician := claimAsNewClinician(t, f, svc, conv.ID)
	if err := svc.Store.ResolveHandoff(ctx, h.ID, clinician, "safety_plan_made", "", false); err != nil {
		t.Fatal(err)
	}

	today := time.Now().UTC()
	got, err := svc.Store.ReferralCounts(ctx, today.AddDate(0, 0, -1), today.AddDate(0, 0, 1))
	if err != nil {
		t.Fatal(err)
	}
	want := []assistant.ReferralCount{
		{Kind: "concern", Level: "concern", Category: "distress", Count: 1},
		{Kind: "handoff", Level: "emergency", Category: "suicidal_ideation,suicide_plan_or_intent", Count: 1},
		{Kind: "resolved", Level: "emergency", Category: "suicidal_ideation,suicide_plan_or_intent", Disposition: "safety_plan_made", Count: 1},
		{Kind: "unattended", Level: "emergency", Category: "suicidal_ideation,suicide_plan_or_intent", Count: 1},
	}
	if !slices.Equal(got, want) {
		t.Fatalf("referral counts:\n got %+v\nwant %+v", got, want)
	}

	// The same event again on the same day adds to the count rather than adding a row.
	if err := svc.Store.RecordReferral(ctx, assistant.Referral{Kind: "concern", Level: nightfloat.LevelConcern, Categories: []string{"distress"}}); err != nil {
		t.Fatal(err)
	}
	var rows, total int64
	if err := f.db.Pool.QueryRow(ctx, `SELECT count(*), sum(count) FROM crisis_referrals`).Scan(&rows, &total); err != nil {
		t.Fatal(err)
	}
	if rows != 4 || total != 5 {
		t.Fatalf("crisis_referrals has %d rows totalling %d, want 4 rows totalling 5", rows, total)
	}
}

// TestReferralLogCannotIdentify checks the table's shape: only a day, the kind of event,
// its level, categories and disposition, and a count. Nothing that could join it back to
// a conversation, a message, a clinician or a moment.
func TestReferralLogCannotIdentify(t *testing.T) {
	f := newFixture(t)
	rows, err := f.db.Pool.Query(context.Background(), `
		SELECT column_name, data_type FROM information_schema.columns
		WHERE table_schema = 'public' AND table_name = 'crisis_referrals' ORDER BY column_name`)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			t.Fatal(err)
		}
		got[name] = typ
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"day": "date", "kind": "text", "level": "text", "category": "text", "disposition": "text", "count": "bigint"}
	if len(got) != len(want) {
		t.Fatalf("crisis_referrals columns %v, want exactly %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Fatalf("crisis_referrals column %s is %q, want %q (all: %v)", k, got[k], v, got)
		}
	}
	// No foreign key, no sequence: nothing points anywhere.
	var fks int
	if err := f.db.Pool.QueryRow(context.Background(), `
		SELECT count(*) FROM information_schema.table_constraints
		WHERE table_name = 'crisis_referrals' AND constraint_type = 'FOREIGN KEY'`).Scan(&fks); err != nil {
		t.Fatal(err)
	}
	if fks != 0 {
		t.Fatalf("crisis_referrals has %d foreign keys, want none", fks)
	}
}
