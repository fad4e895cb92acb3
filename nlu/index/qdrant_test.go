package index

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"
)

// TestQdrantContract runs the Index contract against a real Qdrant server. Qdrant
// cannot be installed on the build machines, so it runs only when QDRANT_ADDR (gRPC
// host:port, e.g. localhost:6334) is set.
func TestQdrantContract(t *testing.T) {
	addr := os.Getenv("QDRANT_ADDR")
	if addr == "" {
		t.Skip("QDRANT_ADDR is not set: skipping the Qdrant contract tests (set it to a Qdrant gRPC host:port to run them)")
	}
	n := 0
	runContract(t, func(t *testing.T) Index {
		n++
		ctx := context.Background()
		q, err := OpenQdrant(ctx, QdrantConfig{Addr: addr, APIKey: os.Getenv("QDRANT_API_KEY"), Collection: fmt.Sprintf("parley_test_%d_%d", time.Now().UnixNano(), n), Dim: 4})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			q.DropCollection(context.Background())
			q.Close()
		})
		return q
	})
}

func TestQdrantUnreachableFailsFast(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := OpenQdrant(ctx, QdrantConfig{Addr: "127.0.0.1:1", Collection: "x", Dim: 4, Timeout: time.Second})
	if err == nil {
		t.Fatal("want an error from an unreachable Qdrant")
	}
	if ctx.Err() != nil {
		t.Fatal("OpenQdrant hung until the test deadline")
	}
}
