package sphinx

import "fmt"

// bankingPhrases are a banking bot's intent examples: the Phrases of the
// domain-model tests.
var bankingPhrases = []string{
	"i lost my card",
	"i lost my credit card",
	"my card was stolen",
	"someone stole my wallet",
	"block my card",
	"please cancel my debit card",
	"what is my balance",
	"what's my account balance",
	"how much money do i have",
	"check my balance please",
	"i want to speak to an agent",
	"let me talk to a person",
	"can i speak to a human",
	"representative please",
	"transfer money to my savings account",
	"send money with zelle",
	"i want to make a payment",
	"pay my credit card bill",
	"when is my payment due",
	"i forgot my pin",
	"reset my password",
	"i want to open an account",
	"close my account",
	"what are your opening hours",
	"where is the nearest branch",
	"i see a charge i don't recognize",
	"dispute a transaction",
	"order a new checkbook",
	"increase my credit limit",
	"what is the interest rate on my mortgage",
	"i want to refinance my mortgage",
	"activate my new card",
	"my card doesn't work",
	"yes",
	"no",
	"that's right",
	"thank you goodbye",
}

// manyPhrases returns n distinct phrases in the style of bankingPhrases,
// for the language model build benchmark.
func manyPhrases(n int) []string {
	verbs := []string{"check", "block", "cancel", "activate", "replace", "close", "open", "update", "freeze", "report"}
	things := []string{"my card", "my account", "my savings account", "my mortgage", "my credit limit",
		"my address", "my phone number", "my pin", "my checkbook", "my statement", "the payment", "a transfer"}
	out := make([]string, 0, n)
	for i := 0; len(out) < n; i++ {
		v, th := verbs[i%len(verbs)], things[(i/len(verbs))%len(things)]
		switch (i / (len(verbs) * len(things))) % 3 {
		case 0:
			out = append(out, fmt.Sprintf("i want to %s %s", v, th))
		case 1:
			out = append(out, fmt.Sprintf("please %s %s today", v, th))
		default:
			out = append(out, fmt.Sprintf("can you help me %s %s %d times", v, th, i%7+2))
		}
	}
	return out
}
