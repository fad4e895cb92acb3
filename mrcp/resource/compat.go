package resource

import "github.com/parley-cc/parley/mrcp/speech"

// VoiceSelection is speech.VoiceSelection, under the name this package
// used before the registry existed.
type VoiceSelection = speech.VoiceSelection

// *speech.Registry is what the speech server gives as Engines.
var _ Engines = (*speech.Registry)(nil)
