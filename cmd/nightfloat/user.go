package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"nightfloat"
	"nightfloat/clinician"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"nightfloat/postgres"
)

// userStdin is where a piped password is read from (tests may replace it).
var userStdin = func() *os.File { return os.Stdin }

const userUsage = `Usage: nightfloat user <subcommand> [flags]

Manages clinician accounts for the console. Every change is audited with actor "cli".

  user add --username U --name "Display Name" --roles oncall,reviewer [--password-file F]
      Creates an account. The password comes from --password-file, else the environment
      variable NIGHTFLOAT_PASSWORD, else standard input when it is not a terminal
      (for example: pass show nightfloat/u | nightfloat user add ...). There is no
      --password flag: it would show in shell history and process listings.
  user password U [--password-file F]
      Replaces a password (same sources as add) and ends the account's sessions.
  user disable U
      Disables an account and ends its sessions at once.
  user enable U
      Re-enables a disabled account (its old sessions stay ended).
  user roles U oncall,reviewer,admin,counsellor,leadership
      Replaces an account's roles: oncall (handoffs), reviewer (the review queue and
      dashboard), admin (the audit log), counsellor (new screens and the reply to them),
      leadership (only the programme's suppressed trends and released reports).
      Roles are explicit: admin implies no other role.
  user unlock U
      Clears the account's failed sign-ins, so its clinician can sign in at once from
      anywhere (after five failures from one address that address waits 15 minutes;
      failures from elsewhere only add a short delay). Audited as login.unlocked.
  user list
      Lists accounts (never password hashes).

Flags common to every subcommand: --database-url (env DATABASE_URL).
`

func runUser(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(e.stderr, userUsage)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	cfg, ok := e.loadConfig()
	if !ok {
		return 2
	}
	sub, rest := args[0], args[1:]
	fs := flag.NewFlagSet("user "+sub, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() { fmt.Fprint(e.stderr, userUsage) }
	fs.StringVar(&cfg.DatabaseURL, "database-url", cfg.DatabaseURL, "PostgreSQL URL (env DATABASE_URL)")
	var username, name, roles, passwordFile string
	switch sub {
	case "add":
		fs.StringVar(&username, "username", "", "login name (lower-case letters, digits, . _ @ -)")
		fs.StringVar(&name, "name", "", "display name shown to colleagues")
		fs.StringVar(&roles, "roles", "", "comma-separated roles: oncall, reviewer, admin, counsellor")
		fs.StringVar(&passwordFile, "password-file", "", "file whose first line is the password")
	case "password":
		fs.StringVar(&passwordFile, "password-file", "", "file whose first line is the password")
	case "disable", "enable", "roles", "list", "unlock":
	default:
		fmt.Fprintf(e.stderr, "nightfloat user: unknown subcommand %q\n\n%s", sub, userUsage)
		return 2
	}
	// Flags may come before or after the positional arguments.
	var positional []string
	for {
		if err := fs.Parse(rest); err != nil {
			return 2
		}
		if fs.NArg() == 0 {
			break
		}
		positional = append(positional, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	want := map[string]int{"add": 0, "password": 1, "disable": 1, "enable": 1, "roles": 2, "list": 0, "unlock": 1}[sub]
	if len(positional) != want {
		fmt.Fprintf(e.stderr, "nightfloat user %s: expected %d argument(s), got %d\n\n%s", sub, want, len(positional), userUsage)
		return 2
	}
	if sub == "add" && (username == "" || name == "" || roles == "") {
		fmt.Fprintln(e.stderr, "nightfloat user add: --username, --name and --roles are required")
		return 2
	}
	if cfg.DatabaseURL == "" {
		fmt.Fprintln(e.stderr, "nightfloat: config: DATABASE_URL is not set (scripts/db.sh prints one for a local database)")
		return 2
	}

	var password string
	if sub == "add" || sub == "password" {
		pw, err := readPassword(e, passwordFile)
		if err != nil {
			fmt.Fprintf(e.stderr, "nightfloat user %s: %v\n", sub, err)
			return 2
		}
		password = pw
	}

	pool, err := postgres.Open(ctx, cfg.DatabaseURL, 2)
	if err != nil {
		fmt.Fprintf(e.stderr, "nightfloat user: %v\n", err)
		return 1
	}
	defer pool.Close()
	if n, err := postgres.Pending(ctx, pool); err != nil || n > 0 {
		fmt.Fprintln(e.stderr, "nightfloat user: the database schema is not up to date: run 'nightfloat migrate' first")
		return 1
	}
	audit := clinician.NewAudit(pool)
	accounts := clinician.NewAccounts(pool, audit, clinician.AccountOptions{})

	switch sub {
	case "add":
		c, err := accounts.CreateBy(ctx, clinician.ActorCLI, username, name, password, splitRoles(roles))
		if err != nil {
			return userFailed(e, sub, err)
		}
		fmt.Fprintf(e.stdout, "created %s (id %d, roles %s)\n", c.Username, c.ID, strings.Join(c.Roles, ","))
	case "password":
		if err := accounts.SetPassword(ctx, clinician.ActorCLI, positional[0], password); err != nil {
			return userFailed(e, sub, err)
		}
		fmt.Fprintf(e.stdout, "password changed for %s; their sessions have ended\n", clinician.NormalizeUsername(positional[0]))
	case "disable":
		if err := accounts.Disable(ctx, clinician.ActorCLI, positional[0]); err != nil {
			return userFailed(e, sub, err)
		}
		fmt.Fprintf(e.stdout, "disabled %s; their sessions have ended\n", clinician.NormalizeUsername(positional[0]))
	case "enable":
		if err := accounts.Enable(ctx, clinician.ActorCLI, positional[0]); err != nil {
			return userFailed(e, sub, err)
		}
		fmt.Fprintf(e.stdout, "enabled %s\n", clinician.NormalizeUsername(positional[0]))
	case "roles":
		if err := accounts.SetRoles(ctx, clinician.ActorCLI, positional[0], splitRoles(positional[1])); err != nil {
			return userFailed(e, sub, err)
		}
		fmt.Fprintf(e.stdout, "roles of %s are now %s\n", clinician.NormalizeUsername(positional[0]), positional[1])
	case "unlock":
		n, err := accounts.Unlock(ctx, clinician.ActorCLI, positional[0])
		if err != nil {
			return userFailed(e, sub, err)
		}
		fmt.Fprintf(e.stdout, "unlocked %s (%d failed sign-ins cleared)\n", clinician.NormalizeUsername(positional[0]), n)
	case "list":
		return listUsers(ctx, e, accounts)
	}
	return 0
}

func listUsers(ctx context.Context, e *env, accounts *clinician.Accounts) int {
	list, err := accounts.List(ctx)
	if err != nil {
		return userFailed(e, "list", err)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tUSERNAME\tNAME\tROLES\tON DUTY\tSTATUS\tCREATED")
	for _, c := range list {
		duty := "-"
		if c.OnDuty && c.OnDutySince != nil {
			duty = "since " + c.OnDutySince.Local().Format("2006-01-02 15:04")
		}
		status := "active"
		if c.Disabled {
			status = "disabled"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", c.ID, c.Username, c.DisplayName,
			strings.Join(c.Roles, ","), duty, status, c.CreatedAt.Local().Format(time.DateOnly))
	}
	if err := tw.Flush(); err != nil {
		return 1
	}
	return 0
}

func userFailed(e *env, sub string, err error) int {
	var re *nightfloat.Error
	if errors.As(err, &re) {
		fmt.Fprintf(e.stderr, "nightfloat user %s: %s\n", sub, re.Message)
	} else {
		fmt.Fprintf(e.stderr, "nightfloat user %s: %v\n", sub, err)
	}
	return 1
}

func splitRoles(s string) []string {
	var out []string
	for _, r := range strings.Split(s, ",") {
		if r = strings.TrimSpace(r); r != "" {
			out = append(out, r)
		}
	}
	return out
}

// readPassword takes the password from the file, else NIGHTFLOAT_PASSWORD, else a
// non-terminal standard input. It never prompts on a terminal: without a way to turn echo
// off the password would show on screen.
func readPassword(e *env, file string) (string, error) {
	var r io.Reader
	switch {
	case file != "":
		f, err := os.Open(file)
		if err != nil {
			return "", fmt.Errorf("password file: %w", err)
		}
		defer f.Close()
		r = f
	case e.getenv("NIGHTFLOAT_PASSWORD") != "":
		return e.getenv("NIGHTFLOAT_PASSWORD"), nil
	default:
		in := userStdin()
		if isTerminal(in) {
			return "", errors.New("no password given: use --password-file FILE, NIGHTFLOAT_PASSWORD, or pipe it on standard input")
		}
		r = in
	}
	line, err := bufio.NewReader(io.LimitReader(r, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password: %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("the password is empty")
	}
	return line, nil
}
