package intent

import (
	"context"
	"math"
	"math/rand/v2"
)

// model is a multinomial logistic regression. Weights are laid out feature-major
// (w[f*k+class]) so that one feature's class weights are contiguous.
type model struct {
	k    int
	w    []float32
	bias []float64
}

// trainModel runs SGD over xs for cfg.Epochs, checking ctx between epochs.
func trainModel(ctx context.Context, xs []sparse, y []int, k, dim int, cfg Config, seed uint64) *model {
	m := &model{k: k, w: make([]float32, dim*k), bias: make([]float64, k)}
	order := make([]int, len(xs))
	for i := range order {
		order[i] = i
	}
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	g := make([]float64, k)
	step := 0
	total := cfg.Epochs * len(xs)
	for range cfg.Epochs {
		if ctx.Err() != nil {
			return m
		}
		rng.Shuffle(len(order), func(a, b int) { order[a], order[b] = order[b], order[a] })
		for _, i := range order {
			// Linear decay to a tenth of the initial rate.
			lr := cfg.LearningRate * (1 - 0.9*float64(step)/float64(total))
			step++
			z := m.logits(xs[i])
			p := softmax(z, 1)
			for c := range g {
				g[c] = p[c]
			}
			g[y[i]] -= 1
			for c := range g {
				m.bias[c] -= lr * g[c]
			}
			x := xs[i]
			for j, f := range x.idx {
				row := m.w[int(f)*k : int(f)*k+k]
				a := lr * float64(x.val[j])
				for c, gc := range g {
					if gc > 1e-5 || gc < -1e-5 {
						row[c] -= float32(a * gc)
					}
				}
			}
		}
	}
	return m
}

func (m *model) logits(x sparse) []float64 {
	z := append([]float64(nil), m.bias...)
	for j, f := range x.idx {
		row := m.w[int(f)*m.k : int(f)*m.k+m.k]
		v := float64(x.val[j])
		for c, w := range row {
			z[c] += v * float64(w)
		}
	}
	for c := range z {
		if math.IsNaN(z[c]) {
			z[c] = 0
		}
	}
	return z
}

func (m *model) probs(x sparse, t float64) []float64 { return softmax(m.logits(x), t) }
