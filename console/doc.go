// Package console is the HTTP API of agents and supervisors, under
// /api/v1: log in and out, agent state, the current offer with its
// handoff context packet, accept and decline, hang up, transfer, wrap-up
// notes and disposition, call recordings, live queue and agent figures,
// and a WebSocket of ACD events. docs/console-api.md is its reference.
//
// # Authentication
//
// Accounts (agent or supervisor) live in the call store with bcrypt
// hashes. POST /login returns a bearer token: HMAC-SHA256-signed claims
// (account, role, issue and expiry times) that any node sharing the
// secret accepts without shared session state. Logout revokes every token
// of the account issued until then (a time kept with the account). Failed
// logins are throttled per account id and per client address.
//
// # Authorization
//
// An agent sees and acts on their own offers and calls only (403
// otherwise); a supervisor sees and acts on all, and alone reads queue and
// agent figures.
//
// # Concurrency properties
//
// A Server is safe for concurrent use; its handler serves requests as
// soon as New returns. Run owns two goroutines' worth of work: the event
// hub, which reads one ACD subscription and queues each event, encoded
// once, on every allowed client's bounded queue without ever blocking (a
// client whose queue is full is disconnected), and a recorder that stores
// which agent was connected to which call. Each WebSocket client is served
// by its own HTTP handler goroutine; when Run's context ends every client
// is closed and Run returns only after their handlers have.
package console
