package acd

import (
	"os"
	"testing"
)

var tempDirs []string

func tempDir() string {
	d, err := os.MkdirTemp("", "acd-redis-")
	if err != nil {
		panic(err)
	}
	tempDirs = append(tempDirs, d)
	return d
}

func TestMain(m *testing.M) {
	code := m.Run()
	for i := len(sharedTB.cleanups) - 1; i >= 0; i-- {
		sharedTB.cleanups[i]()
	}
	for _, d := range tempDirs {
		os.RemoveAll(d)
	}
	os.Exit(code)
}
