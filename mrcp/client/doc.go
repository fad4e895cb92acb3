// Package client is Parley's MRCPv2 client (RFC 6787): it opens speech
// sessions on any MRCPv2 server — Parley's own speech server or a third
// party's (UniMRCP with vendor plugins, commercial ASR/TTS servers) —
// sends requests to their synthesizer and recognizer channels, delivers
// their events, and carries the session's audio over RTP.
//
// # Sessions
//
// Open sends a SIP INVITE whose SDP offers one m=application TCP/MRCPv2
// line per resource (a=setup:active, a=connection:new, a=resource,
// a=cmid) and one m=audio line they share (RFC 6787 section 4), reads the
// server's a=channel for each, and connects the TCP control connection.
// AddResource and RemoveResource re-INVITE; Close sends BYE.
//
// Servers are tried in the configured order. One that fails to answer,
// refuses the session or cannot be connected to is skipped by later Opens
// for Config.RetryAfter, unless every server is down. A session whose
// control connection drops is reconnected (a=connection:existing, the
// server keeps its channels); requests in flight fail with
// ErrConnectionLost, and the session ends if the server cannot be reached
// again.
//
// # Requests
//
// Channel.Do assigns the request-id, sends the request and waits for its
// response at most Config.RequestTimeout. Events for the channel arrive on
// Channel.Events, in order.
package client
