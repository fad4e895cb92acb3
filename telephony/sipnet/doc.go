// Package sipnet binds the sockets of a SIP user agent and picks the
// address it announces: what Parley's call handling (package telephony)
// and its MRCPv2 client and speech server (mrcp/client, mrcp/server) share.
// It imports no other Parley package.
package sipnet
