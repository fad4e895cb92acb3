package slots

import (
	"fmt"
	"math"
)

var currencyWords = map[string]string{
	"dollar": "USD", "dollars": "USD", "bucks": "USD", "usd": "USD", "$": "USD",
	"pound": "GBP", "pounds": "GBP", "quid": "GBP", "gbp": "GBP", "£": "GBP",
	"euro": "EUR", "euros": "EUR", "eur": "EUR", "€": "EUR",
}

var minorWords = map[string]bool{"cents": true, "cent": true, "pence": true, "p": true, "penny": true}

// Amounts returns money amounts: "$25.50", "£10", "25.50 dollars", "twenty five
// pounds fifty", "ten dollars and five cents". Normalized is "25.50 USD".
func Amounts(s string) []Slot {
	toks := tokenize(s)
	var out []Slot
	for i := 0; i < len(toks); i++ {
		if t := toks[i].t; t == "$" || t == "£" || t == "€" {
			cur := currencyWords[t]
			// Symbol first: "$25.50".
			v, n := parseNumber(toks, i+1)
			if n == 0 {
				continue
			}
			out = append(out, amountSlot(s, toks, i, i+1+n, v, cur, 0.95))
			i += n
			continue
		}
		v, n := parseNumber(toks, i)
		if n == 0 || i+n >= len(toks) {
			continue
		}
		cur, ok := currencyWords[toks[i+n].t]
		if !ok {
			continue
		}
		end := i + n + 1
		// Minor units: "pounds fifty", "dollars and five cents".
		k := end
		if k < len(toks) && toks[k].t == "and" {
			k++
		}
		if m, mn := parseNumber(toks, k); mn > 0 && m < 100 && m == math.Trunc(m) {
			e := k + mn
			if e < len(toks) && minorWords[toks[e].t] {
				e++
			}
			if e > k+mn || k == end {
				v += m / 100
				end = e
			}
		}
		out = append(out, amountSlot(s, toks, i, end, v, cur, 0.9))
		i = end - 1
	}
	return out
}

func amountSlot(s string, toks []token, i, j int, v float64, cur string, conf float64) Slot {
	val, a, b := span(s, toks, i, j)
	return Slot{Name: "amount", Value: val, Normalized: fmt.Sprintf("%.2f %s", v, cur), Start: a, End: b, Confidence: conf}
}
