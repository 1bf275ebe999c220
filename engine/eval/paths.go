package eval

import (
	"path/filepath"

	"github.com/hashicorp/hcl/v2"

	"github.com/runbook-dev/runbook/engine/manifest"
	"github.com/runbook-dev/runbook/modules/localpath"
)

// Controller paths (the backup store, media, key and known_hosts files) go
// through modules/localpath, the helper the modules use at run time, so that
// "~" means the same everywhere and a folder refused here is refused there.

// path evaluates a path attribute of b with a leading "~" expanded. ok is
// false when the attribute is absent or was reported.
func (e *evaluator) path(b *manifest.Block, name string) (string, bool) {
	v, ok := e.str(b, name)
	if !ok || v == "" {
		return v, ok
	}
	p, err := localpath.ExpandHome(v)
	if err != nil {
		e.errorf(b.Attr(name).Expr.Range().Ptr(), "Invalid path", "%s.", err)
		return "", false
	}
	return p, true
}

// mediaDir evaluates the runbook's media_dir: a folder outside the manifest's
// folder that artifact files may come from, relative to the manifest's
// folder, resolved (symbolic links followed). It must be a folder of media,
// not a system folder or the home folder, which would let any file through.
func (e *evaluator) mediaDir(b *manifest.Block) string {
	v, ok := e.path(b, "media_dir")
	if !ok {
		return ""
	}
	rng := b.Attr("media_dir").Expr.Range().Ptr()
	if v == "" {
		e.errorf(rng, "Empty media_dir", `Name the folder that holds the media, such as "/srv/avaya-media", or remove media_dir to take media only from the manifest's folder.`)
		return ""
	}
	dir, err := localpath.Resolve(v, e.cfg.Dir)
	if err != nil {
		e.errorf(rng, "Invalid media_dir", "%s.", err)
		return ""
	}
	if why := localpath.NotDedicated(dir, ""); why != "" {
		e.errorf(rng, "media_dir is not a media folder",
			"%s is %s: every file under media_dir may be uploaded to the nodes. Name the folder that holds only the vendor's media, such as \"/srv/avaya-media\".", dir, why)
		return ""
	}
	return dir
}

// artifactFile resolves an artifact's file: "~" expanded, relative to the
// manifest's folder. Media are uploaded to every node they serve, so a file
// must lie in the manifest's folder or under the runbook's media_dir (links
// followed: a link beside the manifest cannot point elsewhere unnoticed).
// A file from media_dir is kept as its absolute path, which the plan prints
// for review. A manifest held in memory has no folder: its files are taken
// as given.
func (e *evaluator) artifactFile(b *manifest.Block, a *Artifact) {
	v, ok := e.path(b, "file")
	if !ok {
		return
	}
	rng := b.Attr("file").Expr.Range().Ptr()
	if v == "" {
		e.errorf(rng, "Empty file name", "Give the path of the media file, relative to the manifest directory or absolute.")
		return
	}
	a.File = v
	if e.cfg.Dir == "" {
		return
	}
	if !filepath.IsAbs(v) {
		// Media sit beside the manifest, wherever runbook runs from.
		a.File = filepath.Join(e.cfg.Dir, v)
	}
	real, err := localpath.Resolve(a.File, "")
	if err != nil {
		e.errorf(rng, "Invalid file", "%s.", err)
		return
	}
	home, err := localpath.Resolve(e.cfg.Dir, "")
	if err != nil {
		e.errorf(rng, "Invalid file", "%s.", err)
		return
	}
	switch media := e.cfg.Runbook.MediaDir; {
	case localpath.Within(real, home) && real != home:
	case media != "" && localpath.Within(real, media) && real != media:
		a.File, a.MediaDir = real, media
	default:
		hint := `add media_dir = "` + filepath.Dir(real) + `" to the runbook block once you have checked it holds only the vendor's media`
		if localpath.NotDedicated(filepath.Dir(real), "") != "" {
			hint = "into a folder that holds only the vendor's media, named by media_dir in the runbook block"
		}
		if media != "" {
			hint = "it is not under media_dir " + media + " either; move the file there"
		}
		e.diags = append(e.diags, &hcl.Diagnostic{Severity: hcl.DiagError, Subject: rng,
			Summary: "Media file outside the manifest's folder",
			Detail: "The file is " + real + ", outside the manifest's folder " + home + ". Media are uploaded to every node they serve, " +
				"so they come only from the manifest's folder or from media_dir: move the file beside the manifest, or " + hint + "."})
	}
}

// backupStore evaluates the backup store: "~" expanded; a relative store is
// taken from the working directory, as apply will. The store gets a folder
// per node, written by whoever runs runbook (often root), so it must be a
// folder of its own (localpath.NotDedicated).
func (e *evaluator) backupStore(b *manifest.Block) {
	store, rng := "backups", (*hcl.Range)(nil)
	if b != nil {
		rng = b.DeclRange.Ptr()
		if a := b.Attr("store"); a != nil {
			rng = a.Expr.Range().Ptr()
			v, ok := e.path(b, "store")
			if !ok {
				return
			}
			if v == "" {
				e.errorf(rng, "Empty backup store", `Name the controller folder backups are pulled to, such as "backups".`)
				return
			}
			store = v
		}
	}
	e.cfg.Backup.Store = store
	abs, err := localpath.Resolve(store, "")
	if err != nil {
		e.errorf(rng, "Invalid backup store", "%s.", err)
		return
	}
	if why := localpath.NotDedicated(abs, e.cfg.Dir); why != "" {
		if rng == nil && e.m.Runbook != nil {
			rng = e.m.Runbook.DeclRange.Ptr()
		}
		e.errorf(rng, "Backup store is not a folder of its own",
			"The backup store %s is %s. Backups are pulled into a folder per node (%s), written by the user running runbook, often root: "+
				"name a folder used for nothing else, such as store = \"backups\" (beside where runbook runs) or store = \"/var/backups/runbook\".",
			abs, why, filepath.Join(abs, "<node>"))
	}
}
