package index

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/qdrant/go-client/qdrant"
)

// QdrantConfig configures a Qdrant index.
type QdrantConfig struct {
	Addr       string        // gRPC host:port, e.g. localhost:6334
	APIKey     string        // optional
	UseTLS     bool          // optional
	Collection string        // required
	Dim        int           // vector length, required to create the collection
	Timeout    time.Duration // per call; 5s if zero
}

// Qdrant is an Index on a Qdrant collection. Point IDs are mapped to UUIDs (SHA-1,
// RFC 4122 version 5) and the original ID is kept in the payload as "_id".
type Qdrant struct {
	cfg    QdrantConfig
	client *qdrant.Client
}

var _ Index = (*Qdrant)(nil)

// idNamespace is the UUID namespace for Parley point IDs.
var idNamespace = uuid.MustParse("6f1c5a4e-2d0b-4c55-9a8e-0d3b7c1f2e90")

// OpenQdrant connects, checks the server's health and creates the collection (cosine
// distance, keyword indexes on the filter fields) if it does not exist.
func OpenQdrant(ctx context.Context, cfg QdrantConfig) (*Qdrant, error) {
	if cfg.Timeout <= 0 {
		cfg.Timeout = 5 * time.Second
	}
	if cfg.Collection == "" || cfg.Dim <= 0 {
		return nil, fmt.Errorf("qdrant: collection and dimension are required")
	}
	host, portStr, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("qdrant address %q: %w", cfg.Addr, err)
	}
	port, err := strconv.Atoi(portStr)
	if err != nil {
		return nil, fmt.Errorf("qdrant address %q: %w", cfg.Addr, err)
	}
	c, err := qdrant.NewClient(&qdrant.Config{Host: host, Port: port, APIKey: cfg.APIKey, UseTLS: cfg.UseTLS, SkipCompatibilityCheck: true})
	if err != nil {
		return nil, fmt.Errorf("qdrant %s: %w", cfg.Addr, err)
	}
	q := &Qdrant{cfg: cfg, client: c}
	if err := q.setup(ctx); err != nil {
		c.Close()
		return nil, err
	}
	return q, nil
}

func (q *Qdrant) setup(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, q.cfg.Timeout)
	defer cancel()
	if _, err := q.client.HealthCheck(ctx); err != nil {
		return fmt.Errorf("qdrant %s unreachable: %w", q.cfg.Addr, err)
	}
	ok, err := q.client.CollectionExists(ctx, q.cfg.Collection)
	if err != nil {
		return fmt.Errorf("qdrant collection %s: %w", q.cfg.Collection, err)
	}
	if ok {
		return nil
	}
	if err := q.client.CreateCollection(ctx, &qdrant.CreateCollection{
		CollectionName: q.cfg.Collection,
		VectorsConfig:  qdrant.NewVectorsConfig(&qdrant.VectorParams{Size: uint64(q.cfg.Dim), Distance: qdrant.Distance_Cosine}),
	}); err != nil {
		return fmt.Errorf("create qdrant collection %s: %w", q.cfg.Collection, err)
	}
	for _, f := range []string{"tenant", "language", "kb_version", "tags"} {
		if _, err := q.client.CreateFieldIndex(ctx, &qdrant.CreateFieldIndexCollection{
			CollectionName: q.cfg.Collection, FieldName: f, FieldType: qdrant.FieldType_FieldTypeKeyword.Enum(), Wait: qdrant.PtrOf(true),
		}); err != nil {
			return fmt.Errorf("index qdrant field %s: %w", f, err)
		}
	}
	return nil
}

// Close closes the connection.
func (q *Qdrant) Close() error { return q.client.Close() }

// DropCollection deletes the collection and all its points.
func (q *Qdrant) DropCollection(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, q.cfg.Timeout)
	defer cancel()
	return q.client.DeleteCollection(ctx, q.cfg.Collection)
}

func pointID(id string) *qdrant.PointId {
	return qdrant.NewIDUUID(uuid.NewSHA1(idNamespace, []byte(id)).String())
}

// Upsert inserts or replaces points and waits until they are searchable.
func (q *Qdrant) Upsert(ctx context.Context, points []Point) error {
	if len(points) == 0 {
		return nil
	}
	ps := make([]*qdrant.PointStruct, len(points))
	for i, p := range points {
		if p.ID == "" {
			return ErrBadID
		}
		if len(p.Vector) != q.cfg.Dim {
			return fmt.Errorf("%w: point %q has %d, collection %d", ErrDim, p.ID, len(p.Vector), q.cfg.Dim)
		}
		pl := map[string]*qdrant.Value{
			"_id":        qdrant.NewValueString(p.ID),
			"tenant":     qdrant.NewValueString(p.Payload.Tenant),
			"language":   qdrant.NewValueString(p.Payload.Language),
			"kb_version": qdrant.NewValueString(p.Payload.KBVersion),
		}
		tags := make([]*qdrant.Value, len(p.Payload.Tags))
		for j, t := range p.Payload.Tags {
			tags[j] = qdrant.NewValueString(t)
		}
		pl["tags"] = qdrant.NewValueFromList(tags...)
		fields := map[string]*qdrant.Value{}
		for k, v := range p.Payload.Fields {
			fields[k] = qdrant.NewValueString(v)
		}
		pl["fields"] = qdrant.NewValueFromFields(fields)
		ps[i] = &qdrant.PointStruct{Id: pointID(p.ID), Vectors: qdrant.NewVectorsDense(p.Vector), Payload: pl}
	}
	ctx, cancel := context.WithTimeout(ctx, q.cfg.Timeout)
	defer cancel()
	if _, err := q.client.Upsert(ctx, &qdrant.UpsertPoints{CollectionName: q.cfg.Collection, Points: ps, Wait: qdrant.PtrOf(true)}); err != nil {
		return fmt.Errorf("qdrant upsert %d points: %w", len(ps), err)
	}
	return nil
}

// Delete removes points by ID.
func (q *Qdrant) Delete(ctx context.Context, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	pids := make([]*qdrant.PointId, len(ids))
	for i, id := range ids {
		pids[i] = pointID(id)
	}
	ctx, cancel := context.WithTimeout(ctx, q.cfg.Timeout)
	defer cancel()
	if _, err := q.client.Delete(ctx, &qdrant.DeletePoints{CollectionName: q.cfg.Collection, Points: qdrant.NewPointsSelectorIDs(pids), Wait: qdrant.PtrOf(true)}); err != nil {
		return fmt.Errorf("qdrant delete %d points: %w", len(ids), err)
	}
	return nil
}

// Search returns up to k points passing f.
func (q *Qdrant) Search(ctx context.Context, v []float32, k int, f Filter) ([]Hit, error) {
	if k <= 0 {
		return nil, nil
	}
	if len(v) != q.cfg.Dim {
		return nil, fmt.Errorf("%w: query has %d, collection %d", ErrDim, len(v), q.cfg.Dim)
	}
	var must []*qdrant.Condition
	for _, kv := range [][2]string{{"tenant", f.Tenant}, {"language", f.Language}, {"kb_version", f.KBVersion}} {
		if kv[1] != "" {
			must = append(must, qdrant.NewMatchKeyword(kv[0], kv[1]))
		}
	}
	for _, t := range f.Tags {
		must = append(must, qdrant.NewMatchKeyword("tags", t))
	}
	req := &qdrant.QueryPoints{
		CollectionName: q.cfg.Collection, Query: qdrant.NewQueryDense(v), Limit: qdrant.PtrOf(uint64(k)),
		WithPayload: qdrant.NewWithPayload(true),
	}
	if len(must) > 0 {
		req.Filter = &qdrant.Filter{Must: must}
	}
	ctx, cancel := context.WithTimeout(ctx, q.cfg.Timeout)
	defer cancel()
	res, err := q.client.Query(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("qdrant search: %w", err)
	}
	hits := make([]Hit, 0, len(res))
	for _, r := range res {
		h, err := hitFromQdrant(r)
		if err != nil {
			return nil, err
		}
		hits = append(hits, h)
	}
	sortHits(hits)
	return hits, nil
}

var errQdrantPayload = errors.New("qdrant: point without _id")

func hitFromQdrant(r *qdrant.ScoredPoint) (Hit, error) {
	pl := r.GetPayload()
	id := pl["_id"].GetStringValue()
	if id == "" {
		return Hit{}, errQdrantPayload
	}
	h := Hit{ID: id, Score: r.GetScore(), Payload: Payload{
		Tenant: pl["tenant"].GetStringValue(), Language: pl["language"].GetStringValue(), KBVersion: pl["kb_version"].GetStringValue(),
	}}
	for _, t := range pl["tags"].GetListValue().GetValues() {
		h.Payload.Tags = append(h.Payload.Tags, t.GetStringValue())
	}
	if fs := pl["fields"].GetStructValue().GetFields(); len(fs) > 0 {
		h.Payload.Fields = make(map[string]string, len(fs))
		for k, v := range fs {
			h.Payload.Fields[k] = v.GetStringValue()
		}
	}
	return h, nil
}
