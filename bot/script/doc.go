// Package script is the dialogue script language: the model a script designer
// writes in YAML (metadata and entry points, prompts, intents with examples,
// slots, business-hours schedules, global handlers and a flow of steps), its
// loader and its validator.
//
// Load and Parse return a *Script or an *Errors listing every problem found,
// each as "file:line: message": YAML syntax, unknown fields, unknown or
// duplicate steps, unreachable steps, undefined prompts, slots or intents,
// intents with too few examples, invalid expressions, schedules and durations.
// schema.json is the JSON Schema of the same format, for editors; a test keeps
// it in sync with the Go model.
//
// # Concurrency properties
//
// A *Script is not modified after Load returns and may be shared by any
// number of goroutines.
package script
