package evals

import (
	"bytes"
	"fmt"
	"text/tabwriter"
)

// C-SSRS item agreement: suicide-related cases carry the Columbia screener item a person
// labelled (1 wish to be dead, 2 active thoughts, 3 method, 4 intent, 5 plan with intent,
// 6 behaviour); the report says how often the classifier assigns the same item, by item.

// CSSRSItemStats is the agreement on the cases labelled with one item.
type CSSRSItemStats struct {
	Item      int         `json:"item"`
	Cases     int         `json:"cases"`
	Agree     int         `json:"agree"`
	Agreement Rate        `json:"agreement"`
	CI95      Interval    `json:"ci95"`
	Assigned  map[int]int `json:"assigned"` // item the classifier gave (0: none) -> cases
}

// CSSRSAgreement is the C-SSRS item agreement over the labelled cases of a split.
type CSSRSAgreement struct {
	Cases     int              `json:"cases"`
	Agree     int              `json:"agree"`
	Agreement Rate             `json:"agreement"`
	CI95      Interval         `json:"ci95"`
	ByItem    []CSSRSItemStats `json:"by_item"` // items 1..6, those with labelled cases
}

// cssrsTally counts labelled items against the items given.
type cssrsTally map[int]map[int]int // labelled item -> given item -> cases

func (t cssrsTally) add(want, got int) {
	if want <= 0 {
		return
	}
	if t[want] == nil {
		t[want] = map[int]int{}
	}
	t[want][got]++
}

// agreement summarises the tally; nil when no case carries a label.
func (t cssrsTally) agreement() *CSSRSAgreement {
	if len(t) == 0 {
		return nil
	}
	out := &CSSRSAgreement{}
	for item := 1; item <= 6; item++ {
		given, ok := t[item]
		if !ok {
			continue
		}
		s := CSSRSItemStats{Item: item, Assigned: map[int]int{}}
		for got, n := range given {
			s.Cases += n
			s.Assigned[got] += n
			if got == item {
				s.Agree += n
			}
		}
		s.Agreement, s.CI95 = ratio(s.Agree, s.Cases), wilson(s.Agree, s.Cases)
		out.Cases += s.Cases
		out.Agree += s.Agree
		out.ByItem = append(out.ByItem, s)
	}
	out.Agreement, out.CI95 = ratio(out.Agree, out.Cases), wilson(out.Agree, out.Cases)
	return out
}

var cssrsItemNames = [...]string{"", "wish to be dead", "active thoughts", "method", "intent", "plan with intent", "behaviour"}

func writeCSSRSText(b *bytes.Buffer, a *CSSRSAgreement) {
	if a == nil {
		return
	}
	fmt.Fprintln(b)
	fmt.Fprintf(b, "C-SSRS item agreement (labelled suicide-related cases): %d/%d %s, 95%% CI %s\n",
		a.Agree, a.Cases, fmtRate(a.Agreement), fmtCI(a.CI95))
	tw := tabwriter.NewWriter(b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "  item\t\tcases\tagree\tagreement\t95%% CI\tgiven: none\t1\t2\t3\t4\t5\t6\t\n")
	for _, s := range a.ByItem {
		fmt.Fprintf(tw, "  %d\t%s\t%d\t%d\t%s\t%s", s.Item, cssrsItemNames[s.Item], s.Cases, s.Agree, fmtRate(s.Agreement), fmtCI(s.CI95))
		for got := 0; got <= 6; got++ {
			fmt.Fprintf(tw, "\t%d", s.Assigned[got])
		}
		fmt.Fprintf(tw, "\t\n")
	}
	tw.Flush()
}
