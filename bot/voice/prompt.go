package voice

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/parley-cc/parley/bot/runtime"
	"github.com/parley-cc/parley/media/resample"
	"github.com/parley-cc/parley/media/wav"
)

// loadPrompt reads a recorded prompt (WAV, first channel) at rate.
func loadPrompt(path string, rate int) ([]int16, error) {
	f, pcm, err := wav.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if f.Channels > 1 {
		mono := make([]int16, len(pcm)/f.Channels)
		for i := range mono {
			mono[i] = pcm[i*f.Channels]
		}
		pcm = mono
	}
	return resamplePCM(pcm, f.SampleRate, rate)
}

func resamplePCM(pcm []int16, from, to int) ([]int16, error) {
	if from == to || len(pcm) == 0 {
		return pcm, nil
	}
	rs, err := resample.New(from, to)
	if err != nil {
		return nil, err
	}
	out := make([]int16, rs.OutLen(len(pcm)))
	return out[:rs.Process(pcm, out)], nil
}

// defaultMessageMax caps a message when the script gives no length.
const defaultMessageMax = 2 * time.Minute

// messageSilence ends a message: this long without speech after some.
const messageSilence = 4 * time.Second

// leaveMessage records the caller after a beep into Config.MessageDir,
// until '#', MaxDuration, messageSilence after speech, or the hangup. It
// returns the file written, or "" when none was.
func (l *Loop) leaveMessage(ctx context.Context, a *runtime.LeaveMessage) string {
	if l.cfg.MessageDir == "" {
		l.log.Warn("message not recorded: no message directory configured", "mailbox", a.Mailbox)
		return ""
	}
	l.drain(ctx)
	if err := os.MkdirAll(l.cfg.MessageDir, 0o750); err != nil {
		l.log.Error("message not recorded", "err", err)
		return ""
	}
	name := fmt.Sprintf("%s-%s-%d.wav", safeName(a.Mailbox), safeName(l.cfg.CallID), time.Now().UnixNano())
	path := filepath.Join(l.cfg.MessageDir, name)
	w, err := wav.Create(path, wav.WriterConfig{SampleRate: l.callRate, Channels: 1})
	if err != nil {
		l.log.Error("message not recorded", "err", err)
		return ""
	}
	beep, _ := resamplePCM(chime(16000)[:16000*150/1000], 16000, l.txRate)
	l.out.play(beep, false)
	var mu sync.Mutex
	var werr error
	remove := l.call.Leg().Receiver().AddListener(func(_ time.Duration, pcm []int16) {
		mu.Lock()
		defer mu.Unlock()
		if werr == nil {
			_, werr = w.Write(pcm)
		}
	})
	limit := a.MaxDuration
	if limit <= 0 {
		limit = defaultMessageMax
	}
	l.waitMessage(ctx, limit)
	remove()
	mu.Lock()
	err = werr
	mu.Unlock()
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		l.log.Error("message recording failed", "path", path, "err", err)
		return ""
	}
	l.log.Info("message recorded", "mailbox", a.Mailbox, "path", path)
	return path
}

func (l *Loop) waitMessage(ctx context.Context, limit time.Duration) {
	start := l.cfg.Now()
	deadline := time.NewTimer(limit)
	defer deadline.Stop()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case dg := <-l.call.Digits():
			if dg.Key == '#' {
				return
			}
		case <-tick.C:
			end, speaking := l.in.lastSpeechEnd()
			if !speaking && end.After(start) && l.cfg.Now().Sub(end) > messageSilence {
				return
			}
		case <-deadline.C:
			return
		case <-l.call.Done():
			return
		case <-ctx.Done():
			return
		}
	}
}

// safeName keeps letters, digits, '-' and '_' for a file name.
func safeName(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s) && len(b) < 64; i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' {
			b = append(b, c)
		}
	}
	if len(b) == 0 {
		return "x" + strconv.Itoa(len(s))
	}
	return string(b)
}
