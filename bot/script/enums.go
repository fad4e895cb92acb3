package script

import (
	"fmt"

	"gopkg.in/yaml.v3"
)

// BargeIn is how a prompt may be interrupted while the bot speaks.
type BargeIn int

const (
	// BargeInDefault inherits the script setting (which defaults to BargeInOn).
	BargeInDefault BargeIn = iota
	// BargeInOn stops the prompt on speech onset or a key.
	BargeInOn
	// BargeInOff plays the prompt to the end (compliance prompts).
	BargeInOff
	// BargeInDTMF stops the prompt on a key only.
	BargeInDTMF
)

var bargeInNames = []string{"", "on", "off", "dtmf"}

// String returns the YAML spelling.
func (b BargeIn) String() string {
	if int(b) < len(bargeInNames) {
		if b == BargeInDefault {
			return "default"
		}
		return bargeInNames[b]
	}
	return fmt.Sprintf("BargeIn(%d)", int(b))
}

// UnmarshalYAML implements yaml.Unmarshaler; it accepts on, off, dtmf and booleans.
func (b *BargeIn) UnmarshalYAML(n *yaml.Node) error {
	switch n.Value {
	case "on", "true", "yes":
		*b = BargeInOn
	case "off", "false", "no":
		*b = BargeInOff
	case "dtmf", "dtmf-only", "dtmf_only":
		*b = BargeInDTMF
	default:
		return &yaml.TypeError{Errors: []string{lineMsg(n.Line, "barge_in: %q is not on, off or dtmf", n.Value)}}
	}
	return nil
}

// Input is what the bot accepts while it waits for the caller.
type Input int

const (
	// InputDefault inherits the script setting (which defaults to InputAny).
	InputDefault Input = iota
	// InputAny accepts speech and DTMF.
	InputAny
	// InputSpeech accepts speech only.
	InputSpeech
	// InputDTMF accepts keys only.
	InputDTMF
)

// String returns the YAML spelling.
func (i Input) String() string {
	switch i {
	case InputDefault:
		return "default"
	case InputAny:
		return "any"
	case InputSpeech:
		return "speech"
	case InputDTMF:
		return "dtmf"
	}
	return fmt.Sprintf("Input(%d)", int(i))
}

// UnmarshalYAML implements yaml.Unmarshaler.
func (i *Input) UnmarshalYAML(n *yaml.Node) error {
	switch n.Value {
	case "any":
		*i = InputAny
	case "speech":
		*i = InputSpeech
	case "dtmf":
		*i = InputDTMF
	default:
		return &yaml.TypeError{Errors: []string{lineMsg(n.Line, "input: %q is not any, speech or dtmf", n.Value)}}
	}
	return nil
}
