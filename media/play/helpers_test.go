package play

import (
	"encoding/binary"
	"os"
)

// truncateData rewrites the data size of a canonical 44-byte-header WAV.
func truncateData(path string, size uint32) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], size)
	_, err = f.WriteAt(b[:], 40)
	return err
}
