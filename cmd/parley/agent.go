package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/parley-cc/parley/console"
	"github.com/parley-cc/parley/store"
)

const agentUsage = `Usage:
  parley agent add [flags] ID --name NAME --role agent|supervisor
                                     create or change a console account; the password is read from standard input
  parley agent remove [flags] ID     delete a console account
  parley agent list [flags]          list the console accounts in the store

Agents and supervisors log in to the console API (docs/console-api.md) with these accounts.
An agent's ID is also their ACD agent ID. Only bcrypt hashes are stored, in <data_dir>/calls.db.
Flags: --config, --data-dir, --set (as for serve).
`

func cmdAgent(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, agentUsage)
		return 2
	}
	sub := args[0]
	fset := flag.NewFlagSet("parley agent "+sub, flag.ContinueOnError)
	fset.SetOutput(stderr)
	fset.Usage = func() { fmt.Fprint(stderr, agentUsage); fset.PrintDefaults() }
	var cf configFlags
	cf.register(fset)
	name := fset.String("name", "", "display `name` (add)")
	role := fset.String("role", "agent", "`role`: agent or supervisor (add)")
	if err := fset.Parse(reorderFlags(args[1:])); err != nil {
		return 2
	}
	switch {
	case sub != "add" && sub != "remove" && sub != "list":
		fmt.Fprintf(stderr, "parley agent: unknown command %q\n\n%s", sub, agentUsage)
		return 2
	case (sub == "add" || sub == "remove") && fset.NArg() != 1, sub == "list" && fset.NArg() != 0:
		fmt.Fprint(stderr, agentUsage)
		return 2
	case sub == "add" && *role != string(store.AccountAgent) && *role != string(store.AccountSupervisor):
		fmt.Fprintf(stderr, "parley agent add: --role %q is not agent or supervisor\n", *role)
		return 2
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, st, ok := openCLIStore(ctx, &cf, "parley agent", stderr)
	if !ok {
		return 1
	}
	defer st.Close()
	switch sub {
	case "add":
		return agentAdd(ctx, st, fset.Arg(0), *name, store.AccountRole(*role), stdin, stdout, stderr)
	case "remove":
		if err := st.DeleteAgentAccount(ctx, fset.Arg(0)); err != nil {
			fmt.Fprintf(stderr, "parley agent remove: %v\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "account %s removed\n", fset.Arg(0))
	case "list":
		accts, err := st.AgentAccounts(ctx)
		if err != nil {
			fmt.Fprintf(stderr, "parley agent list: %v\n", err)
			return 1
		}
		for _, a := range accts {
			fmt.Fprintf(stdout, "%s\t%s\t%s\tupdated %s\n", a.ID, a.Role, a.Name, a.Updated.Format(time.RFC3339))
		}
	}
	return 0
}

func agentAdd(ctx context.Context, st *store.SQLite, id, name string, role store.AccountRole, stdin io.Reader, stdout, stderr io.Writer) int {
	password, err := readPassword(stdin, console.MinPasswordLen)
	if err != nil {
		fmt.Fprintf(stderr, "parley agent add: %v\n", err)
		return 1
	}
	hash, err := console.HashPassword(password, 0)
	if err == nil {
		err = st.PutAgentAccount(ctx, store.AgentAccount{ID: id, Name: name, Role: role, PasswordHash: hash})
	}
	if err != nil {
		fmt.Fprintf(stderr, "parley agent add: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "account %s saved (%s)\n", id, role)
	return 0
}

// reorderFlags moves flags after the positional ID in front of it, so
// that "parley agent add alice --name Alice" parses as documented.
func reorderFlags(args []string) []string {
	var flags, pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			pos = append(pos, args[i+1:]...)
			return append(flags, pos...)
		case strings.HasPrefix(a, "-") && len(a) > 1:
			flags = append(flags, a)
			if !strings.Contains(a, "=") && i+1 < len(args) {
				flags = append(flags, args[i+1])
				i++
			}
		default:
			pos = append(pos, a)
		}
	}
	return append(flags, pos...)
}

// readPassword reads the one-line password that parley agent add and
// parley phone add take on standard input, and checks its length.
func readPassword(stdin io.Reader, minLen int) (string, error) {
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("reading the password: %w", err)
	}
	password := strings.TrimRight(line, "\r\n")
	if len(password) < minLen {
		return "", fmt.Errorf("the password (standard input, one line) must have at least %d characters", minLen)
	}
	return password, nil
}
