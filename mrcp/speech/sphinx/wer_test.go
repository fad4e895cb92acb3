package sphinx

import "strings"

// wordErrors returns the word-level edit distance between a reference and
// a hypothesis (substitutions, insertions and deletions).
func wordErrors(ref, hyp string) int {
	r, h := strings.Fields(ref), strings.Fields(hyp)
	prev := make([]int, len(h)+1)
	cur := make([]int, len(h)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(r); i++ {
		cur[0] = i
		for j := 1; j <= len(h); j++ {
			sub := prev[j-1]
			if r[i-1] != h[j-1] {
				sub++
			}
			cur[j] = min(sub, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return prev[len(h)]
}

// werCorpus are the sentences word error rates are measured on: the
// banking domain phrases, as a caller would say them.
var werCorpus = []string{
	"i lost my card",
	"my card was stolen",
	"what is my balance",
	"how much money do i have",
	"i want to speak to an agent",
	"can i speak to a human",
	"transfer money to my savings account",
	"i want to make a payment",
	"when is my payment due",
	"i forgot my pin",
	"reset my password",
	"i want to open an account",
	"where is the nearest branch",
	"dispute a transaction",
	"increase my credit limit",
	"i want to refinance my mortgage",
	"activate my new card",
	"my card doesn't work",
	"thank you goodbye",
	"check my balance please",
}
