// Command sshlimit is the yardstick of the SSH benchmark (cmd/benchssh): the
// least a tool can do to run the same commands on the same nodes. It opens one
// connection per host, runs each command in its own session, one after the
// other on a host and all hosts in parallel, verifies host keys against a
// known_hosts file, and fails on any non-zero exit. It prints nothing but
// errors; the caller times it.
//
//	sshlimit -user U -key FILE -known-hosts FILE -commands FILE HOST:PORT...
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

func main() {
	user := flag.String("user", "", "login user")
	keyFile := flag.String("key", "", "private key file (unencrypted)")
	known := flag.String("known-hosts", "", "known_hosts file")
	cmdFile := flag.String("commands", "", "file with one command line per line")
	flag.Parse()
	if err := run(*user, *keyFile, *known, *cmdFile, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "sshlimit:", err)
		os.Exit(1)
	}
}

func run(user, keyFile, known, cmdFile string, hosts []string) error {
	key, err := os.ReadFile(keyFile)
	if err != nil {
		return err
	}
	signer, err := ssh.ParsePrivateKey(key)
	if err != nil {
		return err
	}
	hk, err := knownhosts.New(known)
	if err != nil {
		return err
	}
	cmds, err := lines(cmdFile)
	if err != nil {
		return err
	}
	cfg := &ssh.ClientConfig{User: user, Auth: []ssh.AuthMethod{ssh.PublicKeys(signer)},
		HostKeyCallback: hk, Timeout: 10 * time.Second}
	errs := make([]error, len(hosts))
	var wg sync.WaitGroup
	for i, h := range hosts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = host(cfg, h, cmds)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// host runs every command on one connection, a session each.
func host(cfg *ssh.ClientConfig, addr string, cmds []string) error {
	c, err := ssh.Dial("tcp", addr, cfg)
	if err != nil {
		return err
	}
	defer c.Close()
	for _, line := range cmds {
		s, err := c.NewSession()
		if err != nil {
			return err
		}
		out, err := s.CombinedOutput(line)
		s.Close()
		if err != nil {
			return fmt.Errorf("%s: %q: %v: %s", addr, line, err, out)
		}
	}
	return nil
}

func lines(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" {
			out = append(out, l)
		}
	}
	return out, sc.Err()
}
