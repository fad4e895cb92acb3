package bridge

// queue is a bounded FIFO of fixed-size frames in one preallocated slab.
// Pushing into a full queue drops the oldest frame: stale audio is worse
// than lost audio. It is guarded by its Conference's mutex.
type queue struct {
	slab  []int16
	frame int // samples per frame
	slots int
	head  int // index of the oldest frame
	n     int // frames held
}

func newQueue(slots, frame int) queue {
	return queue{slab: make([]int16, slots*frame), frame: frame, slots: slots}
}

func (q *queue) slot(i int) []int16 {
	i %= q.slots
	return q.slab[i*q.frame : (i+1)*q.frame : (i+1)*q.frame]
}

// push returns the slot to fill with the newest frame, and whether the
// oldest frame was dropped to make room.
func (q *queue) push() (slot []int16, dropped bool) {
	slot, _, dropped = q.pushAt()
	return slot, dropped
}

// pushAt is push, also returning the slot's index.
func (q *queue) pushAt() (slot []int16, index int, dropped bool) {
	if q.n == q.slots {
		q.head = (q.head + 1) % q.slots
		q.n--
		dropped = true
	}
	index = (q.head + q.n) % q.slots
	slot = q.slot(index)
	q.n++
	return slot, index, dropped
}

// pop returns the oldest frame, valid until the next push, or nil.
func (q *queue) pop() []int16 {
	if q.n == 0 {
		return nil
	}
	f := q.slot(q.head)
	q.head = (q.head + 1) % q.slots
	q.n--
	return f
}

// len returns the number of frames held.
func (q *queue) len() int { return q.n }
