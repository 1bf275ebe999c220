package sim

import (
	"os"
	"os/signal"
	"syscall"
)

func notify(c chan os.Signal) { signal.Notify(c, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGINT) }
