package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/parley-cc/parley/telephony"
)

const phoneUsage = `Usage:
  parley phone add [flags] USER      create or change a phone account; the password is read from standard input
  parley phone remove [flags] USER   delete a phone account
  parley phone list [flags]          list the phone accounts in the store

Agents' phones register with these accounts (SIP digest, realm sip.registrar.realm).
Only the digest hashes are stored, in <data_dir>/calls.db; accounts in the configuration
file (sip.registrar.users) take precedence. Flags: --config, --data-dir, --set (as for serve).
`

func cmdPhone(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, phoneUsage)
		return 2
	}
	sub := args[0]
	fset := flag.NewFlagSet("parley phone "+sub, flag.ContinueOnError)
	fset.SetOutput(stderr)
	fset.Usage = func() { fmt.Fprint(stderr, phoneUsage); fset.PrintDefaults() }
	var cf configFlags
	cf.register(fset)
	if err := fset.Parse(args[1:]); err != nil {
		return 2
	}
	switch {
	case (sub == "add" || sub == "remove") && fset.NArg() != 1, sub == "list" && fset.NArg() != 0:
		fmt.Fprint(stderr, phoneUsage)
		return 2
	case sub != "add" && sub != "remove" && sub != "list":
		fmt.Fprintf(stderr, "parley phone: unknown command %q\n\n%s", sub, phoneUsage)
		return 2
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cfg, st, ok := openCLIStore(ctx, &cf, "parley phone", stderr)
	if !ok {
		return 1
	}
	defer st.Close()
	switch sub {
	case "add":
		user := fset.Arg(0)
		password, err := readPassword(stdin, 8)
		if err != nil {
			fmt.Fprintf(stderr, "parley phone add: %v\n", err)
			return 1
		}
		acct, err := telephony.NewPhoneAccount(user, cfg.SIP.Registrar.Realm, password)
		if err == nil {
			err = st.PutPhoneAccount(ctx, acct)
		}
		if err != nil {
			fmt.Fprintf(stderr, "parley phone add: %v\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "phone account %s saved (realm %s)\n", user, acct.Realm)
	case "remove":
		if err := st.DeletePhoneAccount(ctx, fset.Arg(0)); err != nil {
			fmt.Fprintf(stderr, "parley phone remove: %v\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "phone account %s removed\n", fset.Arg(0))
	case "list":
		accts, err := st.PhoneAccounts(ctx)
		if err != nil {
			fmt.Fprintf(stderr, "parley phone list: %v\n", err)
			return 1
		}
		for _, a := range accts {
			fmt.Fprintf(stdout, "%s\trealm %s\tupdated %s\n", a.User, a.Realm, a.Updated.Format(time.RFC3339))
		}
	}
	return 0
}
