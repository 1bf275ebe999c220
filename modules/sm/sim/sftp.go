package sim

import (
	"io"
	"os"
	"path"
	"path/filepath"

	"github.com/pkg/sftp"
)

// ServeSFTP serves the SFTP protocol on rw, confined to the node's fake root:
// the client's /var/tmp/runbook/x is DIR/root/var/tmp/runbook/x, and no path
// (.., symlinks the server never creates) leads outside it. It returns when
// the client ends the session.
func ServeSFTP(stateDir string, rw io.ReadWriteCloser) error {
	srv := sftp.NewRequestServer(rw, SFTPHandlers(stateDir))
	err := srv.Serve()
	if err == io.EOF {
		err = nil
	}
	srv.Close()
	return err
}

// SFTPHandlers are the request handlers ServeSFTP uses, for hosts that run
// their own sftp.RequestServer (the lab).
func SFTPHandlers(stateDir string) sftp.Handlers {
	h := &rootFS{n: &node{dir: stateDir}}
	return sftp.Handlers{FileGet: h, FilePut: h, FileCmd: h, FileList: h}
}

// rootFS maps SFTP requests into the fake root.
type rootFS struct{ n *node }

// local maps a client path (absolute or relative to /home/cust) into the root.
func (r *rootFS) local(p string) string { return r.n.path(p) }

func (r *rootFS) Fileread(req *sftp.Request) (io.ReaderAt, error) {
	return os.Open(r.local(req.Filepath))
}

func (r *rootFS) Filewrite(req *sftp.Request) (io.WriterAt, error) {
	fl := req.Pflags()
	mode := os.O_WRONLY
	if fl.Creat {
		mode |= os.O_CREATE
	}
	if fl.Trunc {
		mode |= os.O_TRUNC
	}
	if fl.Excl {
		mode |= os.O_EXCL
	}
	if fl.Read {
		mode = mode&^os.O_WRONLY | os.O_RDWR
	}
	return os.OpenFile(r.local(req.Filepath), mode, 0o644)
}

func (r *rootFS) Filecmd(req *sftp.Request) error {
	p := r.local(req.Filepath)
	switch req.Method {
	case "Setstat":
		a := req.Attributes()
		if req.AttrFlags().Permissions {
			if err := os.Chmod(p, a.FileMode().Perm()); err != nil {
				return err
			}
		}
		if req.AttrFlags().Size {
			return os.Truncate(p, int64(a.Size))
		}
		return nil
	case "Rename", "PosixRename":
		return os.Rename(p, r.local(req.Target))
	case "Rmdir":
		return os.Remove(p)
	case "Remove":
		return os.Remove(p)
	case "Mkdir":
		return os.Mkdir(p, 0o755)
	}
	return sftp.ErrSSHFxOpUnsupported
}

func (r *rootFS) Filelist(req *sftp.Request) (sftp.ListerAt, error) {
	p := r.local(req.Filepath)
	switch req.Method {
	case "List":
		ents, err := os.ReadDir(p)
		if err != nil {
			return nil, err
		}
		out := make(listing, 0, len(ents))
		for _, e := range ents {
			if fi, err := e.Info(); err == nil {
				out = append(out, fi)
			}
		}
		return out, nil
	case "Stat", "Lstat":
		fi, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		return listing{fi}, nil
	}
	return nil, sftp.ErrSSHFxOpUnsupported
}

// RealPath resolves a client path to its absolute form inside the root.
func (r *rootFS) RealPath(p string) (string, error) {
	if !path.IsAbs(p) {
		p = path.Join("/home/cust", p)
	}
	return filepath.ToSlash(path.Clean(p)), nil
}

// listing is a sftp.ListerAt over a slice.
type listing []os.FileInfo

func (l listing) ListAt(out []os.FileInfo, off int64) (int, error) {
	if off >= int64(len(l)) {
		return 0, io.EOF
	}
	n := copy(out, l[off:])
	if n < len(out) {
		return n, io.EOF
	}
	return n, nil
}
