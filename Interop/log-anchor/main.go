// log-anchor: the anchor of `signet bench log`. A minimal durable transparency log written with
// Go's own golang.org/x/mod/sumdb/tlog (the Go checksum database's log): for each entry, the
// stored hashes that tlog.StoredHashes says to keep; entries (16-bit length first) and hashes
// appended to two files, synced every batch. No database, no audit row: the least a log must do.
//
// Build: GO111MODULE=off GOPATH=/usr/share/gocode go build -o log-anchor main.go
// Run: log-anchor -dir DIR -entries N -batch B   (prints "entries seconds")
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"time"

	"golang.org/x/mod/sumdb/tlog"
)

func main() {
	dir := flag.String("dir", ".", "where to write the log's files")
	entries := flag.Int64("entries", 1000000, "entries to append")
	batch := flag.Int64("batch", 1000, "entries per sync")
	flag.Parse()

	records, err := os.Create(*dir + "/entries")
	if err != nil {
		panic(err)
	}
	hashFile, err := os.Create(*dir + "/hashes")
	if err != nil {
		panic(err)
	}
	recordWriter, hashWriter := bufio.NewWriterSize(records, 1<<20), bufio.NewWriterSize(hashFile, 1<<20)
	var stored []tlog.Hash
	reader := tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		hashes := make([]tlog.Hash, len(indexes))
		for i, index := range indexes {
			hashes[i] = stored[index]
		}
		return hashes, nil
	})
	started := time.Now()
	for n := int64(0); n < *entries; n++ {
		entry := []byte(fmt.Sprintf(`{"action":"screen.update","actor":"operator","address":"10.0.0.1","at":"2026-11-29T12:00:00Z","at_ms":%d,"detail":{"n":%d},"subject":"screen-%d"}`,
			1764417600000+n, n, n%10000))
		hashes, err := tlog.StoredHashes(n, entry, reader)
		if err != nil {
			panic(err)
		}
		stored = append(stored, hashes...)
		recordWriter.Write([]byte{byte(len(entry) >> 8), byte(len(entry))})
		recordWriter.Write(entry)
		for _, hash := range hashes {
			hashWriter.Write(hash[:])
		}
		if (n+1)%*batch == 0 || n+1 == *entries {
			recordWriter.Flush()
			hashWriter.Flush()
			records.Sync()
			hashFile.Sync()
		}
	}
	fmt.Printf("%d %.6f\n", *entries, time.Since(started).Seconds())
}
