// log-verify checks a Signet server's transparency log with Go's own transparency-log code
// (golang.org/x/mod/sumdb/note and sumdb/tlog, as Debian packages them): the checkpoint's
// signature, the tree hash from authenticated tiles, inclusion proofs for a sample of entries, a
// consistency proof from an older checkpoint, and the refusal of a tampered tile and entry.
//
// Build (GOPATH mode, Debian's golang-golang-x-mod-dev):
//   GO111MODULE=off GOPATH=/usr/share/gocode go build -o log-verify main.go
// Run: log-verify -server URL -token TOKEN -vkey VKEY -old OLD-CHECKPOINT-FILE
package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

var (
	server = flag.String("server", "", "the Signet server's base URL")
	token  = flag.String("token", "", "an API token (entry bundles need a signed-in reader)")
	vkey   = flag.String("vkey", "", "the log's verifier key, as the TUF root names it")
	old    = flag.String("old", "", "an older checkpoint of the same log")
	failed = 0
)

func check(what string, err error) {
	if err != nil {
		failed++
		fmt.Printf("  FAIL  %s: %v\n", what, err)
	} else {
		fmt.Printf("  ok    %s\n", what)
	}
}

func fetch(path string) ([]byte, error) {
	request, err := http.NewRequest("GET", strings.TrimSuffix(*server, "/")+"/log/"+path, nil)
	if err != nil {
		return nil, err
	}
	request.Header.Set("Authorization", "Bearer "+*token)
	response, err := http.DefaultClient.Do(request)
	if err != nil {
		return nil, err
	}
	defer response.Body.Close()
	body, err := io.ReadAll(response.Body)
	if response.StatusCode != 200 {
		return nil, fmt.Errorf("GET %s: %s", path, response.Status)
	}
	return body, err
}

// checkpoint opens a signed checkpoint with the log's key and reads its three lines
// (origin, size, root): tlog.ParseTree only knows the Go checksum database's first line.
func checkpoint(text []byte, verifier note.Verifier) (tlog.Tree, error) {
	opened, err := note.Open(text, note.VerifierList(verifier))
	if err != nil {
		return tlog.Tree{}, err
	}
	lines := strings.Split(opened.Text, "\n")
	if len(lines) < 4 || lines[0] != verifier.Name() {
		return tlog.Tree{}, fmt.Errorf("checkpoint: origin %q is not the log %q", lines[0], verifier.Name())
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 0 {
		return tlog.Tree{}, fmt.Errorf("checkpoint: size %q", lines[1])
	}
	root, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(root) != tlog.HashSize {
		return tlog.Tree{}, fmt.Errorf("checkpoint: root %q", lines[2])
	}
	var hash tlog.Hash
	copy(hash[:], root)
	return tlog.Tree{N: size, Hash: hash}, nil
}

// tiles reads C2SP tiles (tile/L/N) for x/mod, whose paths carry the height (tile/8/L/N).
type tiles struct{ tamper bool }

func (tiles) Height() int { return 8 }

func (t tiles) ReadTiles(wanted []tlog.Tile) ([][]byte, error) {
	data := make([][]byte, len(wanted))
	for i, tile := range wanted {
		body, err := fetch(strings.Replace(tile.Path(), "tile/8/", "tile/", 1))
		if err != nil {
			return nil, err
		}
		if len(body) != tile.W*tlog.HashSize {
			return nil, fmt.Errorf("%s: %d bytes", tile.Path(), len(body))
		}
		if t.tamper && tile.L == 0 && tile.N == 0 && len(body) >= 2*tlog.HashSize {
			body[tlog.HashSize] ^= 1 // leaf 1's hash: a sibling in entry 0's proof
		}
		data[i] = body
	}
	return data, nil
}

func (tiles) SaveTiles([]tlog.Tile, [][]byte) {}

// entry reads entry i from its bundle (each entry after a big-endian 16-bit length).
func entry(i int64, size int64) ([]byte, error) {
	bundle := i / 256
	width := size - bundle*256
	if width > 256 {
		width = 256
	}
	path := tlog.Tile{H: 8, L: -1, N: bundle, W: int(width)}.Path()
	body, err := fetch(strings.Replace(path, "tile/8/data/", "tile/entries/", 1))
	if err != nil {
		return nil, err
	}
	for k := int64(0); len(body) >= 2; k++ {
		length := int(body[0])<<8 | int(body[1])
		if len(body) < 2+length {
			return nil, fmt.Errorf("bundle %d: entry %d cut short", bundle, k)
		}
		if bundle*256+k == i {
			return body[2 : 2+length], nil
		}
		body = body[2+length:]
	}
	return nil, fmt.Errorf("bundle %d has no entry %d", bundle, i)
}

func main() {
	flag.Parse()
	verifier, err := note.NewVerifier(*vkey)
	if err != nil {
		fmt.Println("log-verify: the verifier key:", err)
		os.Exit(2)
	}
	fmt.Printf("log-verify: %s with Go's golang.org/x/mod/sumdb/note and tlog\n", verifier.Name())

	text, err := fetch("checkpoint")
	if err != nil {
		fmt.Println("log-verify:", err)
		os.Exit(2)
	}
	tree, err := checkpoint(text, verifier)
	check(fmt.Sprintf("the checkpoint (size %d) is signed by the log key", tree.N), err)
	forged := bytes.Replace(text, []byte(fmt.Sprintf("\n%d\n", tree.N)), []byte(fmt.Sprintf("\n%d\n", tree.N+1)), 1)
	if _, err := checkpoint(forged, verifier); err == nil {
		check("a checkpoint with its size changed is refused", fmt.Errorf("it was accepted"))
	} else {
		check("a checkpoint with its size changed is refused ("+err.Error()+")", nil)
	}

	reader := tlog.TileHashReader(tree, tiles{})
	hash, err := tlog.TreeHash(tree.N, reader)
	if err == nil && hash != tree.Hash {
		err = fmt.Errorf("tree hash %v, checkpoint %v", hash, tree.Hash)
	}
	check("the tiles' tree hash is the checkpoint's root", err)

	samples := map[int64]bool{0: true, tree.N / 3: true, tree.N / 2: true, tree.N - 1: true}
	for i := int64(255); i < tree.N; i += 256 {
		samples[i] = true
	}
	for i := range samples {
		data, err := entry(i, tree.N)
		if err == nil {
			var event map[string]interface{}
			if err = json.Unmarshal(data, &event); err == nil && event["action"] == nil {
				err = fmt.Errorf("entry %d is not an event", i)
			}
		}
		if err == nil {
			var proof tlog.RecordProof
			if proof, err = tlog.ProveRecord(tree.N, i, reader); err == nil {
				err = tlog.CheckRecord(proof, tree.N, tree.Hash, i, tlog.RecordHash(data))
				changed := append([]byte{}, data...)
				changed[len(changed)-2] ^= 1
				if tlog.CheckRecord(proof, tree.N, tree.Hash, i, tlog.RecordHash(changed)) == nil {
					err = fmt.Errorf("a changed entry %d also verified", i)
				}
			}
		}
		check(fmt.Sprintf("entry %d is in the tree (inclusion proof), and a changed copy is not", i), err)
	}

	if *old != "" {
		text, err := os.ReadFile(*old)
		var older tlog.Tree
		if err == nil {
			older, err = checkpoint(text, verifier)
		}
		if err == nil {
			var proof tlog.TreeProof
			if proof, err = tlog.ProveTree(tree.N, older.N, reader); err == nil {
				err = tlog.CheckTree(proof, tree.N, tree.Hash, older.N, older.Hash)
			}
		}
		check(fmt.Sprintf("the older checkpoint (size %d) is a prefix of this one (consistency proof)", older.N), err)
	}

	// A tampered tile must fail the check, when read or when its proof is checked. (x/mod 0.7.0's
	// TileHashReader does not always authenticate a full tile below the tiles of the tree hash
	// when the tree hash needs fewer tiles than subtrees, so the proof check is what catches it.)
	first, err := entry(0, tree.N)
	if err == nil {
		var proof tlog.RecordProof
		proof, err = tlog.ProveRecord(tree.N, 0, tlog.TileHashReader(tree, tiles{tamper: true}))
		if err == nil {
			err = tlog.CheckRecord(proof, tree.N, tree.Hash, 0, tlog.RecordHash(first))
		}
		if err == nil {
			err = fmt.Errorf("entry 0's proof from a tampered tile was accepted")
		} else {
			fmt.Printf("        (%v)\n", err)
			err = nil
		}
	}
	check("a tampered tile is refused", err)

	fmt.Printf("log verify (Go): %d entries, %d failed\n", tree.N, failed)
	if failed > 0 {
		os.Exit(1)
	}
}
