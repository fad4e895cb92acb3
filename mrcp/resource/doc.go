// Package resource owns the server side of the MRCPv2 speechsynth and
// speechrecog resources (RFC 6787 sections 8 and 9).
package resource
