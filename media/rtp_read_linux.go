//go:build linux

package media

import (
	"net"
	"net/netip"
	"syscall"
	"unsafe"
)

// readBatch is how many datagrams one recvmmsg(2) takes at most.
const readBatch = 4

// batchBufSize is each datagram buffer of the batch reader. A datagram
// that fills it may have been truncated and is dropped as oversize.
const batchBufSize = 2048

// mmsghdr is struct mmsghdr of recvmmsg(2).
type mmsghdr struct {
	hdr syscall.Msghdr
	len uint32
	_   [4]byte
}

// batchReader reads a UDP socket with one recvmmsg(2) per wake-up.
//
// Go's ordinary read loop makes two system calls per datagram when
// datagrams come one at a time, as RTP does: the read that returns it and
// the read that returns EAGAIN before the goroutine parks. The batch
// reader stays inside one syscall.RawConn.Read for the life of the socket:
// its function reads whatever is queued (up to readBatch datagrams, again
// at once when the batch was full), hands each to the session, and returns
// false to wait for the next readiness notification, so the runtime's
// poller, not a failing read, tells it when to read again. A datagram that
// arrives while it works leaves the poller's ready mark set, so the next
// wait returns at once and nothing waits in the queue.
type batchReader struct {
	rc       syscall.RawConn
	handle   func(b []byte, from netip.AddrPort)
	onErr    func(error) // counts a failed read
	failures int         // consecutive failed reads
	hdrs     [readBatch]mmsghdr
	iovs     [readBatch]syscall.Iovec
	names    [readBatch]syscall.RawSockaddrInet6
	bufs     [readBatch][batchBufSize]byte
	err      error // a read error other than EAGAIN, ending the loop
	fn       func(fd uintptr) bool
}

// newBatchReader returns a batch reader for conn, or nil when conn is not
// a UDP socket of the operating system (test pipes), which then use the
// ordinary read loop.
func newBatchReader(conn net.PacketConn, handle func(b []byte, from netip.AddrPort), onErr func(error)) *batchReader {
	sc, ok := conn.(syscall.Conn)
	if !ok {
		return nil
	}
	if _, ok := conn.(addrPortReader); !ok {
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	r := &batchReader{rc: rc, handle: handle, onErr: onErr}
	for i := range r.hdrs {
		r.iovs[i].Base = &r.bufs[i][0]
		r.iovs[i].SetLen(batchBufSize)
		r.hdrs[i].hdr.Iov = &r.iovs[i]
		r.hdrs[i].hdr.Iovlen = 1
		r.hdrs[i].hdr.Name = (*byte)(unsafe.Pointer(&r.names[i]))
	}
	r.fn = r.readQueued
	return r
}

// run reads until the socket is closed or fails, and returns the error.
func (r *batchReader) run() error {
	if err := r.rc.Read(r.fn); err != nil {
		return err
	}
	return r.err
}

// readQueued takes the queued datagrams and hands them on. It returns
// false to wait for the socket to become readable again, true only to end
// the loop after maxReadErrors failed reads in a row.
func (r *batchReader) readQueued(fd uintptr) bool {
	for {
		for i := range r.hdrs {
			r.hdrs[i].hdr.Namelen = uint32(unsafe.Sizeof(r.names[i]))
			r.hdrs[i].hdr.Flags = 0
			r.hdrs[i].len = 0
		}
		n, _, errno := syscall.Syscall6(syscall.SYS_RECVMMSG, fd,
			uintptr(unsafe.Pointer(&r.hdrs[0])), readBatch, syscall.MSG_DONTWAIT, 0, 0)
		switch {
		case errno == syscall.EAGAIN || errno == syscall.EINTR:
			return false
		case errno != 0:
			r.onErr(errno)
			if r.failures++; r.failures >= maxReadErrors {
				r.err = errno
				return true
			}
			return false
		}
		r.failures = 0
		for i := range int(n) {
			h := &r.hdrs[i]
			size := int(h.len)
			if h.hdr.Flags&syscall.MSG_TRUNC != 0 {
				size = batchBufSize // the oversize check drops it
			}
			r.handle(r.bufs[i][:size], sockaddrAddrPort(&r.names[i]))
		}
		if int(n) < readBatch {
			return false
		}
	}
}

// sockaddrAddrPort converts a raw IPv4 or IPv6 socket address.
func sockaddrAddrPort(sa *syscall.RawSockaddrInet6) netip.AddrPort {
	switch sa.Family {
	case syscall.AF_INET:
		sa4 := (*syscall.RawSockaddrInet4)(unsafe.Pointer(sa))
		port := uint16(sa4.Port>>8) | uint16(sa4.Port<<8)
		return netip.AddrPortFrom(netip.AddrFrom4(sa4.Addr), port)
	case syscall.AF_INET6:
		port := uint16(sa.Port>>8) | uint16(sa.Port<<8)
		return netip.AddrPortFrom(netip.AddrFrom16(sa.Addr).Unmap(), port)
	}
	return netip.AddrPort{}
}
