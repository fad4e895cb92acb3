package script

import (
	"time"

	"gopkg.in/yaml.v3"
)

// Script is one dialogue script, as loaded from its YAML file.
type Script struct {
	// File is the path the script was loaded from (for error messages).
	File string `yaml:"-" json:"-"`
	// Draft reports that the script was loaded as a draft version.
	Draft bool `yaml:"-" json:"-"`

	Name        string             `yaml:"name"`
	Version     string             `yaml:"version"`
	Description string             `yaml:"description"`
	Language    string             `yaml:"language"`
	Voice       string             `yaml:"voice"`
	EntryPoints EntryPoints        `yaml:"entry_points"`
	KB          string             `yaml:"knowledge_base"`
	Settings    Settings           `yaml:"settings"`
	Prompts     map[string]*Prompt `yaml:"prompts"`
	Intents     map[string]*Intent `yaml:"intents"`
	// OutOfScope are examples of what callers say that is none of the intents
	// (questions for the knowledge base, chit-chat); they teach the classifier
	// to say "none" rather than force a wrong intent.
	OutOfScope []string             `yaml:"out_of_scope"`
	Slots      map[string]*Slot     `yaml:"slots"`
	Hours      map[string]*Schedule `yaml:"hours"`
	// Variables names the values back-end systems provide (a verified
	// caller's balance), with a description; prompts may use them.
	Variables map[string]string `yaml:"variables"`
	Handlers  Handlers          `yaml:"handlers"`
	Start     Ref               `yaml:"start"`
	Steps     []*Step           `yaml:"steps"`

	// Lines holds the line of each named definition, keyed "prompts.greeting",
	// "intents.balance", "slots.pin", "hours.branch".
	Lines map[string]int `yaml:"-" json:"-"`

	byID map[string]*Step
}

// EntryPoints are the dialled numbers that reach the script: Published numbers
// serve callers with the published version, Draft numbers reach the draft.
type EntryPoints struct {
	Published []string `yaml:"published"`
	Draft     []string `yaml:"draft"`
}

// Settings are the script-wide defaults; steps and prompts override them.
type Settings struct {
	// BargeIn is the default interruption mode while the bot speaks.
	BargeIn BargeIn `yaml:"barge_in"`
	// Input is what the bot accepts while it waits: any, speech or dtmf.
	Input Input `yaml:"input"`
	// NoInput is how long the bot waits for the caller to start; default 5s.
	NoInput Duration `yaml:"no_input_timeout"`
	// Recognition caps one utterance; default 15s.
	Recognition Duration `yaml:"recognition_timeout"`
	// InterDigit is the time allowed between DTMF keys; default 3s.
	InterDigit Duration `yaml:"inter_digit_timeout"`
	// MinASRConfidence: speech recognised with less is a no-match; default 0.3.
	MinASRConfidence float64 `yaml:"min_asr_confidence"`
	// MinIntentConfidence: an intent recognised with less is a no-match; default 0.4.
	MinIntentConfidence float64 `yaml:"min_intent_confidence"`
	// MaxDeadAir is the longest silence the caller may hear while the bot works; default 3s.
	MaxDeadAir Duration `yaml:"max_dead_air"`
	// TimeZone is the default for hours schedules and dates; default UTC.
	TimeZone string `yaml:"time_zone"`
}

// Prompt is something the bot says: text for TTS, SSML, or an audio file with
// text as its fallback and transcript.
type Prompt struct {
	Text  string `yaml:"text"`
	SSML  string `yaml:"ssml"`
	Audio string `yaml:"audio"`
	// BargeIn overrides Settings.BargeIn; "off" for compliance prompts.
	BargeIn BargeIn `yaml:"barge_in"`
	Line    int     `yaml:"-"`
}

// Intent is something a caller may want, learnt from example utterances.
type Intent struct {
	Description string   `yaml:"description"`
	Examples    []string `yaml:"examples"`
}

// Slot is a value the bot extracts from what the caller says or keys.
type Slot struct {
	// Type is digits, number, amount, date, email, phone, yesno, list, pattern or text.
	Type      string              `yaml:"type"`
	MinLength int                 `yaml:"min_length"`
	MaxLength int                 `yaml:"max_length"`
	Values    map[string][]string `yaml:"values"`
	Pattern   string              `yaml:"pattern"`
	// Sensitive values (a PIN) are masked in transcripts and logs.
	Sensitive bool `yaml:"sensitive"`
}

// Schedule is a business-hours schedule.
type Schedule struct {
	TimeZone string `yaml:"time_zone"`
	// Weekly maps days ("mon", "mon-fri", "sat,sun") to ranges "08:00-12:00, 13:00-18:00".
	Weekly map[string]string `yaml:"weekly"`
	// Holidays are closed dates, YYYY-MM-DD.
	Holidays []string `yaml:"holidays"`

	// Compiled by the validator.
	Loc    *time.Location  `yaml:"-" json:"-"`
	Open   [7][]Span       `yaml:"-" json:"-"`
	Closed map[string]bool `yaml:"-" json:"-"`
}

// Span is an opening range in minutes after midnight, [From, To).
type Span struct{ From, To int }

// Handlers are the global rules checked on every caller turn.
type Handlers struct {
	// Agent fires when the caller asks for a person (its intent is recognised).
	Agent *Handler `yaml:"agent"`
	// NoMatch fires after Count consecutive no-matches in one step.
	NoMatch *Handler `yaml:"no_match"`
	// NoInput fires after Count consecutive no-inputs in one step.
	NoInput *Handler `yaml:"no_input"`
	// Negative fires when the caller's sentiment stays negative.
	Negative *Handler `yaml:"negative_sentiment"`
	// DTMFZero fires when the caller presses 0 (outside digit collection).
	DTMFZero *Handler `yaml:"dtmf_zero"`
	// Failure is where a runtime error or an ASR/TTS failure without a keypad
	// fallback goes; default: the first queue used by the script, else goodbye.
	Failure *Handler `yaml:"failure"`
}

// Handler is one global rule and where it routes.
type Handler struct {
	Intent Ref `yaml:"intent"`
	Count  int `yaml:"count"`
	Route  `yaml:",inline"`
	Line   int `yaml:"-"`
}

// Route sends the call to a queue, a step, or a goodbye (a prompt, then hang up).
type Route struct {
	Prompt   Ref      `yaml:"prompt"`
	Queue    string   `yaml:"queue"`
	Skills   []string `yaml:"skills"`
	Priority int      `yaml:"priority"`
	Step     Ref      `yaml:"step"`
	Goodbye  Ref      `yaml:"goodbye"`
}

// Step is one node of the flow. Exactly one kind field is set.
type Step struct {
	ID   Ref `yaml:"id"`
	Next Ref `yaml:"next"`

	Say      *Say      `yaml:"say"`
	Ask      *Ask      `yaml:"ask"`
	Menu     *Menu     `yaml:"menu"`
	Answer   *Answer   `yaml:"answer"`
	Collect  *Collect  `yaml:"collect"`
	Verify   *Verify   `yaml:"verify"`
	Set      *Set      `yaml:"set"`
	Branch   *Branch   `yaml:"branch"`
	Hours    *Hours    `yaml:"hours"`
	Message  *Message  `yaml:"message"`
	Transfer *Transfer `yaml:"transfer"`
	Hangup   *Hangup   `yaml:"hangup"`
}

// Listening are the per-step input settings.
type Listening struct {
	Input       Input    `yaml:"input"`
	NoInput     Duration `yaml:"no_input_timeout"`
	Recognition Duration `yaml:"recognition_timeout"`
}

// Say speaks a prompt and goes to the step's next.
type Say struct {
	Prompt Ref `yaml:"prompt"`
}

// Ask asks an open question and routes on the recognised intent or key.
type Ask struct {
	Prompt   Ref            `yaml:"prompt"`
	Reprompt Ref            `yaml:"reprompt"`
	Intents  map[string]Ref `yaml:"intents"`
	DTMF     map[string]Ref `yaml:"dtmf"`
	// Slots are extracted from the answer and kept for later steps.
	Slots []Ref `yaml:"slots"`
	// Otherwise is where an out-of-scope utterance goes (often an answer step).
	Otherwise Ref `yaml:"otherwise"`
	Listening `yaml:",inline"`
}

// Menu offers numbered options, by key or by name.
type Menu struct {
	Prompt    Ref      `yaml:"prompt"`
	Reprompt  Ref      `yaml:"reprompt"`
	Options   []Option `yaml:"options"`
	Listening `yaml:",inline"`
}

// Option is one menu choice.
type Option struct {
	Key     string   `yaml:"key"`
	Phrases []string `yaml:"phrases"`
	Next    Ref      `yaml:"next"`
}

// Answer answers a question from the knowledge base.
type Answer struct {
	// Prompt, if set, asks for the question; else the caller's last utterance is used.
	Prompt Ref `yaml:"prompt"`
	// Threshold is the KB confidence below which the bot says it does not know.
	Threshold float64 `yaml:"threshold"`
	// Found and NotFound are the next steps.
	Found    Ref `yaml:"found"`
	NotFound Ref `yaml:"not_found"`
	// Fallback is said when no answer is confident enough.
	Fallback  Ref `yaml:"fallback"`
	Listening `yaml:",inline"`
}

// Collect asks for one slot value, optionally confirming it.
type Collect struct {
	Slot     Ref `yaml:"slot"`
	Prompt   Ref `yaml:"prompt"`
	Reprompt Ref `yaml:"reprompt"`
	// Confirm, if set, reads the value back ("{value}") and waits for yes or no.
	Confirm   Ref `yaml:"confirm"`
	Listening `yaml:",inline"`
}

// Verify checks a caller's account number and PIN, by DTMF or speech.
type Verify struct {
	AccountSlot   Ref `yaml:"account_slot"`
	PINSlot       Ref `yaml:"pin_slot"`
	AccountPrompt Ref `yaml:"account_prompt"`
	PINPrompt     Ref `yaml:"pin_prompt"`
	Retry         Ref `yaml:"retry"`
	Attempts      int `yaml:"attempts"`
	OK            Ref `yaml:"ok"`
	Fail          Ref `yaml:"fail"`
	Listening     `yaml:",inline"`
}

// Set assigns variables from expressions.
type Set struct {
	Vars map[string]string `yaml:"vars"`
}

// Branch goes to the first case whose condition holds, else to Else.
type Branch struct {
	Cases []Case `yaml:"cases"`
	Else  Ref    `yaml:"else"`
}

// Case is one condition of a branch.
type Case struct {
	If   Expr `yaml:"if"`
	Goto Ref  `yaml:"goto"`
}

// Hours branches on a business-hours schedule.
type Hours struct {
	Schedule Ref `yaml:"schedule"`
	Open     Ref `yaml:"open"`
	Closed   Ref `yaml:"closed"`
	// Holiday, if set, is taken on holidays instead of Closed.
	Holiday Ref `yaml:"holiday"`
}

// Message records a voice message for a mailbox.
type Message struct {
	Prompt      Ref      `yaml:"prompt"`
	Mailbox     string   `yaml:"mailbox"`
	MaxDuration Duration `yaml:"max_duration"`
}

// Transfer hands the call to an ACD queue.
type Transfer struct {
	Prompt   Ref      `yaml:"prompt"`
	Queue    string   `yaml:"queue"`
	Skills   []string `yaml:"skills"`
	Priority int      `yaml:"priority"`
}

// Hangup says an optional goodbye and ends the call.
type Hangup struct {
	Prompt Ref `yaml:"prompt"`
}

// Ref is a name that refers to a step, prompt, slot, intent or schedule,
// with the line it was written on.
type Ref struct {
	Name string
	Line int
}

// UnmarshalYAML implements yaml.Unmarshaler.
func (r *Ref) UnmarshalYAML(n *yaml.Node) error {
	r.Line = n.Line
	return n.Decode(&r.Name)
}

// Expr is an expression in the script's expression language, with its line.
type Expr struct {
	Src  string
	Line int
}

// UnmarshalYAML implements yaml.Unmarshaler.
func (e *Expr) UnmarshalYAML(n *yaml.Node) error {
	e.Line = n.Line
	return n.Decode(&e.Src)
}

// Duration is a time.Duration written as "5s" or "1m30s".
type Duration time.Duration

// UnmarshalYAML implements yaml.Unmarshaler.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	var s string
	if err := n.Decode(&s); err != nil {
		return err
	}
	v, err := time.ParseDuration(s)
	if err != nil || v < 0 {
		return &yaml.TypeError{Errors: []string{lineMsg(n.Line, "bad duration %q (want e.g. 5s, 1m30s)", s)}}
	}
	*d = Duration(v)
	return nil
}
