package eval

import (
	"errors"

	"github.com/hashicorp/hcl/v2/ext/tryfunc"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// Functions returns the functions manifest expressions may call: the go-cty
// standard library under Terraform's names. A new map each call, so callers
// may add to it.
func Functions() map[string]function.Function {
	return map[string]function.Function{
		"can": tryfunc.CanFunc, "try": tryfunc.TryFunc,
		"abs": stdlib.AbsoluteFunc, "ceil": stdlib.CeilFunc, "floor": stdlib.FloorFunc,
		"log": stdlib.LogFunc, "pow": stdlib.PowFunc, "signum": stdlib.SignumFunc,
		"min": stdlib.MinFunc, "max": stdlib.MaxFunc, "parseint": stdlib.ParseIntFunc,
		"upper": stdlib.UpperFunc, "lower": stdlib.LowerFunc, "title": stdlib.TitleFunc,
		"format": stdlib.FormatFunc, "formatlist": stdlib.FormatListFunc,
		"join": stdlib.JoinFunc, "split": stdlib.SplitFunc, "strrev": stdlib.ReverseFunc,
		"substr": stdlib.SubstrFunc, "chomp": stdlib.ChompFunc, "indent": stdlib.IndentFunc,
		"trimspace": stdlib.TrimSpaceFunc, "trim": stdlib.TrimFunc,
		"trimprefix": stdlib.TrimPrefixFunc, "trimsuffix": stdlib.TrimSuffixFunc,
		"replace": stdlib.ReplaceFunc, "regex": stdlib.RegexFunc, "regexall": stdlib.RegexAllFunc,
		"regex_replace": stdlib.RegexReplaceFunc,
		"concat":        stdlib.ConcatFunc, "length": lengthFunc, "contains": stdlib.ContainsFunc,
		"merge": stdlib.MergeFunc, "lookup": stdlib.LookupFunc, "keys": stdlib.KeysFunc,
		"values": stdlib.ValuesFunc, "element": stdlib.ElementFunc, "index": stdlib.IndexFunc,
		"distinct": stdlib.DistinctFunc, "flatten": stdlib.FlattenFunc, "compact": stdlib.CompactFunc,
		"reverse": stdlib.ReverseListFunc, "slice": stdlib.SliceFunc, "sort": stdlib.SortFunc,
		"range": stdlib.RangeFunc, "zipmap": stdlib.ZipmapFunc, "chunklist": stdlib.ChunklistFunc,
		"setunion": stdlib.SetUnionFunc, "setintersection": stdlib.SetIntersectionFunc,
		"setsubtract": stdlib.SetSubtractFunc, "setproduct": stdlib.SetProductFunc,
		"coalesce": coalesceFunc, "coalescelist": stdlib.CoalesceListFunc,
		"jsonencode": stdlib.JSONEncodeFunc, "jsondecode": stdlib.JSONDecodeFunc,
		"csvdecode": stdlib.CSVDecodeFunc, "formatdate": stdlib.FormatDateFunc,
		"timeadd":  stdlib.TimeAddFunc,
		"tostring": stdlib.MakeToFunc(cty.String), "tonumber": stdlib.MakeToFunc(cty.Number),
		"tobool": stdlib.MakeToFunc(cty.Bool), "tolist": stdlib.MakeToFunc(cty.List(cty.DynamicPseudoType)),
		"toset": stdlib.MakeToFunc(cty.Set(cty.DynamicPseudoType)),
		"tomap": stdlib.MakeToFunc(cty.Map(cty.DynamicPseudoType)),
	}
}

// lengthFunc is Terraform's length: characters of a string, elements of a
// collection (go-cty splits these into strlen and length).
var lengthFunc = function.New(&function.Spec{
	Description: "The number of characters of a string or elements of a collection.",
	Params: []function.Parameter{{
		Name: "value", Type: cty.DynamicPseudoType, AllowDynamicType: true, AllowUnknown: true,
	}},
	Type: function.StaticReturnType(cty.Number),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		if args[0].Type() == cty.String {
			return stdlib.Strlen(args[0])
		}
		return stdlib.Length(args[0])
	},
})

// coalesceFunc is Terraform's coalesce: the first argument that is neither
// null nor an empty string (go-cty's stops at the first non-null, so
// coalesce(var.x, "default") would keep an empty var.x).
var coalesceFunc = function.New(&function.Spec{
	Description: "The first argument that is not null or an empty string.",
	VarParam: &function.Parameter{
		Name: "vals", Type: cty.DynamicPseudoType, AllowUnknown: true, AllowDynamicType: true, AllowNull: true,
	},
	Type: func(args []cty.Value) (cty.Type, error) {
		return stdlib.CoalesceFunc.ReturnTypeForValues(args)
	},
	Impl: func(args []cty.Value, retType cty.Type) (cty.Value, error) {
		for _, a := range args {
			if !a.IsKnown() {
				return cty.UnknownVal(retType), nil
			}
			if a.IsNull() || (a.Type() == cty.String && a.AsString() == "") {
				continue
			}
			return convert.Convert(a, retType)
		}
		return cty.NilVal, errors.New("no argument is set: every one is null or an empty string")
	},
})
