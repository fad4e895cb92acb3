//go:build !linux

package media

import (
	"net"
	"net/netip"
)

// batchBufSize bounds datagrams as the Linux batch reader does.
const batchBufSize = 2048

// batchReader exists only on Linux; elsewhere sessions use the ordinary
// read loop.
type batchReader struct{}

func newBatchReader(net.PacketConn, func([]byte, netip.AddrPort), func(error)) *batchReader {
	return nil
}

func (*batchReader) run() error { return nil }
