package insights

import (
	"encoding/json"
	"testing"
)

// TestCrisisSectionHidesOneMore checks the suppression a published breakdown needs: counts
// from 1 to 4 hidden, and when exactly one is, the next smallest (or the total) too.
func TestCrisisSectionHidesOneMore(t *testing.T) {
	for _, tc := range []struct {
		name  string
		total int64
		m     map[string]int64
		want  string // the breakdown as JSON
	}{
		{"none hidden", 30, map[string]int64{"a": 20, "b": 10},
			`{"title":"t","total":30,"rows":[{"name":"a","count":20},{"name":"b","count":10}]}`},
		{"one hidden takes the next smallest", 34, map[string]int64{"a": 20, "b": 10, "c": 4},
			`{"title":"t","total":34,"rows":[{"name":"a","count":20},{"name":"b","count":"\u003c5"},{"name":"c","count":"\u003c5"}]}`},
		{"two hidden are enough, and sort by name", 28, map[string]int64{"a": 20, "c": 4, "b": 4},
			`{"title":"t","total":28,"rows":[{"name":"a","count":20},{"name":"b","count":"\u003c5"},{"name":"c","count":"\u003c5"}]}`},
		{"one hidden and nothing else shown hides the total", 7, map[string]int64{"a": 3, "b": 0},
			`{"title":"t","total":"\u003c5","rows":[{"name":"b","count":0},{"name":"a","count":"\u003c5"}]}`},
		{"a hidden total hides nothing more", 3, map[string]int64{"a": 3},
			`{"title":"t","total":"\u003c5","rows":[{"name":"a","count":"\u003c5"}]}`},
		{"empty", 0, map[string]int64{}, `{"title":"t","total":0,"rows":null}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := json.Marshal(section("t", "", tc.total, tc.m))
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != tc.want {
				t.Errorf("got  %s\nwant %s", b, tc.want)
			}
		})
	}
}
