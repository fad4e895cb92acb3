// Package acdtest holds test helpers for the acd package and its users: a real
// redis-server started on a free loopback port.
package acdtest
