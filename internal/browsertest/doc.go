// Package browsertest starts headless Chromium for the project's browser tests.
//
// It is for tests only and owns nothing.
package browsertest
