// Package bot owns the voice bot's scripts as a running service: a Library
// loads dialogue scripts from files, compiles each into a runtime.Bot, maps
// dialled numbers (entry points) to the published or draft version, and hot
// reloads a script when its file changes. A broken edit is logged with all its
// errors and never replaces the running version.
//
// The sub-packages do the work: bot/script is the script language (model, YAML
// loading, validation, JSON Schema), bot/runtime runs one dialogue per call,
// driven by events and returning actions, and bot/scripttest runs the
// conversation tests that sit next to each script.
//
// # Concurrency properties
//
// A Library is safe for concurrent use: Lookup may be called from any
// goroutine while Run polls the files. A *runtime.Bot returned by Lookup is
// immutable and stays valid after a reload; calls in progress keep the version
// they started with.
package bot
