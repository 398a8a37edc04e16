using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace MilkCheck.Configuration;

/// <summary>The YAML 1.1 type a scalar resolves to.</summary>
internal enum YamlScalarKind
{
    Null,
    Bool,
    Int,
    Float,
    String,
}

/// <summary>
/// YAML 1.1 implicit typing of scalars, as PyYAML's SafeLoader (upstream's loader) resolves them. YamlDotNet hands
/// every scalar over as text plus its style; upstream's type checks are exact, so the text has to be typed the way
/// PyYAML would: only plain scalars are typed, quoted and block scalars are always strings, and an explicit
/// <c>!!str</c> (or the non-specific <c>!</c>) tag keeps a plain scalar a string. Stateless and shareable.
/// </summary>
internal static partial class YamlScalarTyping
{
    private const string TagPrefix = "tag:yaml.org,2002:";

    // PyYAML's resolver patterns (resolver.py), sexagesimal forms included: `1:30` is the int 90 there.
    [GeneratedRegex(@"^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$", RegexOptions.CultureInvariant)]
    private static partial Regex BoolPattern();

    [GeneratedRegex(@"^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$", RegexOptions.CultureInvariant)]
    private static partial Regex IntPattern();

    [GeneratedRegex(@"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$", RegexOptions.CultureInvariant)]
    private static partial Regex FloatPattern();

    [GeneratedRegex(@"^(?:~|null|Null|NULL|)$", RegexOptions.CultureInvariant)]
    private static partial Regex NullPattern();

    public static YamlScalarKind Resolve(YamlScalarNode node) => Resolve(node.Value, node.Style, TagOf(node.Tag));

    /// <param name="tag">The scalar's explicit tag in full form, or null when it has none.</param>
    public static YamlScalarKind Resolve(string? value, ScalarStyle style, string? tag)
    {
        if (!string.IsNullOrEmpty(tag) && tag != "?")
        {
            // An explicit core tag decides; any other (local, `!`) tag leaves the text a string.
            return tag switch
            {
                TagPrefix + "null" => YamlScalarKind.Null,
                TagPrefix + "bool" => YamlScalarKind.Bool,
                TagPrefix + "int" => YamlScalarKind.Int,
                TagPrefix + "float" => YamlScalarKind.Float,
                _ => YamlScalarKind.String,
            };
        }

        if (style is not (ScalarStyle.Plain or ScalarStyle.Any))
        {
            return YamlScalarKind.String;
        }

        string text = value ?? "";
        if (NullPattern().IsMatch(text))
        {
            return YamlScalarKind.Null;
        }

        if (BoolPattern().IsMatch(text))
        {
            return YamlScalarKind.Bool;
        }

        if (IntPattern().IsMatch(text))
        {
            return YamlScalarKind.Int;
        }

        return FloatPattern().IsMatch(text) ? YamlScalarKind.Float : YamlScalarKind.String;
    }

    public static bool IsNull(YamlScalarNode node) => Resolve(node) == YamlScalarKind.Null;

    public static bool TryGetBool(YamlScalarNode node, out bool value) =>
        TryGetBool(node.Value, node.Style, TagOf(node.Tag), out value);

    public static bool TryGetInt(YamlScalarNode node, out long value) =>
        TryGetInt(node.Value, node.Style, TagOf(node.Tag), out value);

    /// <summary>A YAML number: a float or an int (an int is a valid number wherever seconds are expected).</summary>
    public static bool TryGetDouble(YamlScalarNode node, out double value) =>
        TryGetDouble(node.Value, node.Style, TagOf(node.Tag), out value);

    public static bool TryGetBool(string? text, ScalarStyle style, string? tag, out bool value)
    {
        value = false;
        if (Resolve(text, style, tag) != YamlScalarKind.Bool || text is null)
        {
            return false;
        }

        switch (text.ToLowerInvariant())
        {
            case "yes" or "true" or "on":
                value = true;
                return true;
            case "no" or "false" or "off":
                return true;
            default:
                return false; // an explicit !!bool on text that is no boolean
        }
    }

    /// <summary>False for a non-int scalar and for an int beyond <see cref="long"/>.</summary>
    public static bool TryGetInt(string? text, ScalarStyle style, string? tag, out long value)
    {
        value = 0;
        if (Resolve(text, style, tag) != YamlScalarKind.Int || text is null)
        {
            return false;
        }

        return TryParseInt(text.Replace("_", "", StringComparison.Ordinal), out value);
    }

    public static bool TryGetDouble(string? text, ScalarStyle style, string? tag, out double value)
    {
        value = 0;
        switch (Resolve(text, style, tag))
        {
            case YamlScalarKind.Int:
                if (TryGetInt(text, style, tag, out long integer))
                {
                    value = integer;
                    return true;
                }

                return false;
            case YamlScalarKind.Float:
                return text is not null && TryParseFloat(text.Replace("_", "", StringComparison.Ordinal), out value);
            case YamlScalarKind.Null or YamlScalarKind.Bool or YamlScalarKind.String:
                return false;
            default:
                throw new ArgumentOutOfRangeException(nameof(style), "Unknown scalar kind.");
        }
    }

    // `!` (non-specific, on a quoted or tagged scalar) makes a string; `?` is what an untagged node carries.
    private static string? TagOf(TagName tag) => tag.IsEmpty ? null : tag.Value;

    private static bool TryParseInt(string text, out long value)
    {
        value = 0;
        int sign = 1;
        if (text.StartsWith('-') || text.StartsWith('+'))
        {
            sign = text[0] == '-' ? -1 : 1;
            text = text[1..];
        }

        try
        {
            checked
            {
                long magnitude;
                if (text.StartsWith("0b", StringComparison.Ordinal))
                {
                    magnitude = Convert.ToInt64(text[2..], 2);
                }
                else if (text.StartsWith("0x", StringComparison.Ordinal))
                {
                    magnitude = long.Parse(text[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
                }
                else if (text.Contains(':', StringComparison.Ordinal))
                {
                    magnitude = 0;
                    foreach (string part in text.Split(':'))
                    {
                        magnitude = magnitude * 60 + long.Parse(part, NumberStyles.None, CultureInfo.InvariantCulture);
                    }
                }
                else if (text.Length > 1 && text[0] == '0')
                {
                    magnitude = Convert.ToInt64(text, 8); // YAML 1.1: a leading zero means octal
                }
                else
                {
                    magnitude = long.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
                }

                // Hex and binary parse as two's complement; anything negative there overflowed.
                if (magnitude < 0)
                {
                    return false;
                }

                value = sign * magnitude;
                return true;
            }
        }
        catch (Exception exception) when (exception is OverflowException or FormatException or ArgumentException)
        {
            return false;
        }
    }

    private static bool TryParseFloat(string text, out double value)
    {
        string lower = text.ToLowerInvariant();
        switch (lower)
        {
            case ".inf" or "+.inf":
                value = double.PositiveInfinity;
                return true;
            case "-.inf":
                value = double.NegativeInfinity;
                return true;
            case ".nan":
                value = double.NaN;
                return true;
        }

        if (lower.Contains(':', StringComparison.Ordinal))
        {
            double sign = lower.StartsWith('-') ? -1 : 1;
            string[] parts = lower.TrimStart('-', '+').Split(':');
            double total = 0;
            foreach (string part in parts)
            {
                if (!double.TryParse(part, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double piece))
                {
                    value = 0;
                    return false;
                }

                total = total * 60 + piece;
            }

            value = sign * total;
            return true;
        }

        return double.TryParse(lower, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }
}
