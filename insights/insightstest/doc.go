// Package insightstest seeds weeks of activity for the leadership trends, written as the
// owners write it (conversations, messages and assessments as assistant stores them; pulse
// check-ins as pulse stores them), for insights' and web's tests.
//
// It is for tests only and owns nothing; it writes fixture rows into its owners' tables.
package insightstest
