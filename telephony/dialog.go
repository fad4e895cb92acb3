package telephony

import (
	"context"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"github.com/parley-cc/parley/store"
)

// sipDialog is what a Call does with its SIP dialog, whichever side
// started it: *sipgo.DialogServerSession for inbound calls,
// *sipgo.DialogClientSession for outbound ones.
type sipDialog interface {
	Context() context.Context
	Bye(ctx context.Context) error
	ReadBye(req *sip.Request, tx sip.ServerTransaction) error
	ReadRequest(req *sip.Request, tx sip.ServerTransaction) error
	Do(ctx context.Context, req *sip.Request) (*sip.Response, error)
}

var (
	_ sipDialog = (*sipgo.DialogServerSession)(nil)
	_ sipDialog = (*sipgo.DialogClientSession)(nil)
)

// remoteHangupCause is the cause of a call the far end hung up.
func (c *Call) remoteHangupCause() string {
	if c.dir == store.Outbound || !c.owner {
		return "remote-hangup"
	}
	return "caller-hangup"
}
