// Package sipptest runs SIPp (the sipp binary of Debian's sip-tester) as
// a real SIP peer from Go tests: Run drives a client (UAC) scenario to its
// end and reports the exit code, the call counts from SIPp's statistics
// CSV and its error log; Start runs a server (UAS) scenario in the
// background for tests in which Parley places the call. The scenarios
// live in testdata/sipp at the top of the module (ScenarioDir).
//
// Every run writes its traces (statistics CSV, error log, final screen)
// into t.TempDir(); a failed test prints where they are. A missing sipp
// fails the test, it never skips.
//
// SIPp is run with its working directory set to the scenario's directory,
// so that files a scenario names (the audio of rtp_stream) resolve beside
// it.
//
// # Concurrency properties
//
// Run and Start may be called from parallel tests: each picks its own
// free ports and trace directory. A Server is used by the goroutine of
// the test that started it; Stop and Wait may each be called once, and
// the test's Cleanup stops a Server that is still running.
package sipptest
