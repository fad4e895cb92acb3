// Package acd is Parley's automatic call distributor: agents with skills and
// proficiency, queues with skill requirements that relax with waiting time, priorities
// with ageing, routing strategies, overflow, maximum wait and length with fallbacks
// (callback keeping the caller's place, voicemail, goodbye), service levels, positions
// and expected waits, and a blacklist.
//
// The engine (ACD) makes the routing decisions from a snapshot of the state; a Backend
// keeps the state and makes every change atomic. Memory (the default) keeps it in the
// process; Redis keeps it in a Redis server shared by several Parley nodes, using
// WATCH/MULTI/EXEC transactions, so that no agent is offered two calls at once and no
// queued call is lost, whichever nodes route at the same time.
//
// A call keeps its original entry time (its place) across decline, missed offers,
// overflow and transfers. Offers name the node whose media path holds the call
// (Offer.Node); only that node's handoff rings the agent. Events from every node reach
// the subscribers of every node. An offer nobody resolves within its OfferTimeout plus
// OfferGrace is expired as missed by whichever node notices, so a crashed node's offers
// do not stick.
//
// Unknown skills: a skill in a CallRequest is ErrUnknownSkill only when no queue and no
// agent (provisioned on any node) defines it; queue configurations may name skills no
// agent has yet (agents may be added at run time).
//
// Additions to the agreed API (nothing renamed or removed): Agent.WrapUntil,
// Config.Tick, ErrInvalid, StatusCode, AddBlacklist, RemoveBlacklist, Dropped,
// State.Valid, Strategy.Valid, the Strategy*/Fallback*/Event* constants, the Default*
// settings, OfferGrace, MaxContext, Memory/NewMemory, Redis/NewRedis/RedisConfig, and
// the test helper package acdtest (StartRedis). Backend has unexported methods: use
// NewMemory or NewRedis.
//
// # Concurrency
//
// All methods are safe for concurrent use. Run owns the routing loop, the timers and the
// event subscription; it must run for events to flow and for timers to fire. The
// routing loop never blocks on subscribers: a subscriber more than 1024 events behind
// loses events (Dropped counts them).
package acd
