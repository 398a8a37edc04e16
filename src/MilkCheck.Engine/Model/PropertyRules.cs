using System.Globalization;

namespace MilkCheck.Model;

/// <summary>What a property of a service or an action holds.</summary>
internal enum PropertyKind { Text, Mode, Bool, PositiveInteger, Count, Seconds, Tags }

/// <summary>
/// The one table of service and action properties: each key's kind and what to give when a value is wrong. Literal
/// values at load, references checked at load and values resolved just before a run all follow it, so a value means
/// the same whether written directly or through a variable.
/// </summary>
internal static class PropertyRules
{
    private static readonly Dictionary<string, PropertyKind> Kinds = new(StringComparer.Ordinal)
    {
        ["desc"] = PropertyKind.Text,
        ["target"] = PropertyKind.Text,
        ["mode"] = PropertyKind.Mode,
        ["remote"] = PropertyKind.Bool,
        ["fanout"] = PropertyKind.PositiveInteger,
        ["errors"] = PropertyKind.Count,
        ["warnings"] = PropertyKind.Count,
        ["retry"] = PropertyKind.Count,
        ["timeout"] = PropertyKind.Seconds,
        ["delay"] = PropertyKind.Seconds,
        ["tags"] = PropertyKind.Tags,
    };

    /// <summary>Properties resolved just before a run (after -Define), in upstream's order (spec §3.5).</summary>
    public static readonly IReadOnlyList<string> ResolvedBeforeRun = new[] { "fanout", "retry", "errors", "warnings", "timeout", "delay", "mode" };

    public static readonly IReadOnlyList<string> Modes = new[] { "standard", "delegate", "exec" };

    public static PropertyKind? KindOf(string key) => Kinds.TryGetValue(key, out PropertyKind kind) ? kind : null;

    public static bool IsNumeric(PropertyKind kind) => kind is PropertyKind.PositiveInteger or PropertyKind.Count or PropertyKind.Seconds;

    /// <summary>What to give, for messages: "must be {Expected}".</summary>
    public static string Expected(PropertyKind kind) => kind switch
    {
        PropertyKind.Text => "text",
        PropertyKind.Mode => "one of standard, delegate, exec",
        PropertyKind.Bool => "true or false",
        PropertyKind.PositiveInteger => "a positive integer",
        PropertyKind.Count => "a non-negative integer",
        PropertyKind.Seconds => "a non-negative number of seconds",
        PropertyKind.Tags => "a list of tags",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown property kind."),
    };

    /// <summary>
    /// A numeric property's value, written or resolved: a number, or text holding one (-Define values are text).
    /// Null or blank means "not set" (the default applies). False when the value breaks the rule.
    /// </summary>
    public static bool TryGetNumber(PropertyKind kind, object? value, out double? number)
    {
        number = value switch
        {
            null => null,
            long l => l,
            double d => d,
            string s when s.Trim().Length == 0 => null,
            string s when double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double parsed) => parsed,
            _ => double.NaN,
        };
        if (number is not double n)
            return true;
        return kind switch
        {
            PropertyKind.PositiveInteger => n >= 1 && n == Math.Floor(n) && n <= int.MaxValue,
            PropertyKind.Count => n >= 0 && n == Math.Floor(n) && n <= int.MaxValue,
            PropertyKind.Seconds => n >= 0 && double.IsFinite(n),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a numeric property."),
        };
    }
}
