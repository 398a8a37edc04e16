using System.Collections;
using System.Management.Automation;

namespace MilkCheck;

/// <summary>
/// Turns a deserialized <c>ActionResult</c> or <c>NodeResult</c> (what <c>Receive-Job</c>, remoting and
/// <c>Import-Clixml</c> give: a property bag named <c>Deserialized.MilkCheck.…</c>) back into the record, so
/// <c>Measure-MilkCheckResult</c> binds it and the views can draw it with <see cref="ResultText"/>. Registered for
/// both record types in MilkCheck.types.ps1xml; PowerShell calls it for <c>[MilkCheck.ActionResult]$deserialized</c>
/// and parameter binding. Public because the type table creates it by name.
/// </summary>
public sealed class DeserializedResultConverter : PSTypeConverter
{
    private const string Prefix = "Deserialized.";

    public override bool CanConvertFrom(object sourceValue, Type destinationType) =>
        sourceValue is PSObject source && CanConvertFrom(source, destinationType);

    public override bool CanConvertFrom(PSObject sourceValue, Type destinationType) =>
        sourceValue is not null && IsDeserialized(sourceValue, destinationType);

    public override object ConvertFrom(object sourceValue, Type destinationType, IFormatProvider formatProvider, bool ignoreCase) =>
        ConvertFrom(sourceValue as PSObject ?? throw Refusal(sourceValue, destinationType), destinationType, formatProvider, ignoreCase);

    public override object ConvertFrom(PSObject sourceValue, Type destinationType, IFormatProvider formatProvider, bool ignoreCase)
    {
        if (destinationType == typeof(ActionResult) && IsDeserialized(sourceValue, destinationType))
            return ToActionResult(sourceValue);
        if (destinationType == typeof(NodeResult) && IsDeserialized(sourceValue, destinationType))
            return ToNodeResult(sourceValue);
        throw Refusal(sourceValue, destinationType);
    }

    public override bool CanConvertTo(object sourceValue, Type destinationType) => false;

    public override object ConvertTo(object sourceValue, Type destinationType, IFormatProvider formatProvider, bool ignoreCase) =>
        throw Refusal(sourceValue, destinationType);

    private static bool IsDeserialized(PSObject source, Type destinationType) =>
        source.TypeNames.Contains(Prefix + destinationType.FullName, StringComparer.OrdinalIgnoreCase);

    private static PSInvalidCastException Refusal(object? sourceValue, Type destinationType) =>
        new($"Cannot convert '{sourceValue}' to {destinationType.FullName}: only a deserialized {destinationType.FullName} converts.");

    private static ActionResult ToActionResult(PSObject source) => new(
        Service: Text(source, "Service"),
        Group: Text(source, "Group"),
        Kind: Value<EntityKind>(source, "Kind"),
        Action: Text(source, "Action"),
        Status: Value<ActionStatus>(source, "Status"),
        IsEntry: Value<bool>(source, "IsEntry"),
        Target: Text(source, "Target"),
        FailedNodes: Text(source, "FailedNodes"),
        Nodes: List(source, "Nodes", ToNodeResult),
        Checks: List(source, "Checks", ToActionResult),
        Command: Text(source, "Command"),
        StartTime: Time(Raw(source, "StartTime")),
        Duration: Value<TimeSpan>(source, "Duration"),
        Attempts: Value<int>(source, "Attempts"),
        Description: Raw(source, "Description") is null ? null : Text(source, "Description"))
    {
        RunId = Text(source, "RunId"),
        Path = Text(source, "Path"),
    };

    private static NodeResult ToNodeResult(PSObject source) => new(
        Node: Text(source, "Node"),
        Service: Text(source, "Service"),
        Action: Text(source, "Action"),
        Status: Value<NodeStatus>(source, "Status"),
        ExitCode: Raw(source, "ExitCode") is null ? null : Value<int>(source, "ExitCode"),
        Output: Text(source, "Output"),
        Duration: Value<TimeSpan>(source, "Duration"),
        Reason: Raw(source, "Reason") is null ? null : Text(source, "Reason"));

    private static object? Raw(PSObject source, string name)
    {
        // A property bag (a nested deserialized object) stays a PSObject; a wrapped value (a list, a number) is unwrapped.
        object? value = source.Properties[name]?.Value;
        return value is PSObject { BaseObject: not PSCustomObject } wrapped ? wrapped.BaseObject : value;
    }

    private static string Text(PSObject source, string name) => Raw(source, name)?.ToString() ?? string.Empty;

    // Enums arrive as names (type data serializes them so); an older file may hold numbers: both convert.
    private static T Value<T>(PSObject source, string name) => LanguagePrimitives.ConvertTo<T>(Raw(source, name));

    private static DateTimeOffset Time(object? value) => value switch
    {
        DateTimeOffset time => time,
        // DateTimeOffset is not one of the serializer's primitive types: it arrives as a property bag.
        PSObject bag when bag.Properties["UtcTicks"]?.Value is { } ticks && bag.Properties["Offset"]?.Value is { } offset =>
            new DateTimeOffset(LanguagePrimitives.ConvertTo<long>(ticks), TimeSpan.Zero).ToOffset(LanguagePrimitives.ConvertTo<TimeSpan>(offset)),
        _ => LanguagePrimitives.ConvertTo<DateTimeOffset>(value),
    };

    private static IReadOnlyList<T> List<T>(PSObject source, string name, Func<PSObject, T> convert) where T : class
    {
        object? value = Raw(source, name);
        if (value is null)
            return Array.Empty<T>();
        IEnumerable items = value as IEnumerable is { } list and not string ? list : new[] { value };
        var converted = new List<T>();
        foreach (object? item in items)
        {
            converted.Add(item switch
            {
                T typed => typed,
                PSObject { BaseObject: T typed } => typed,
                PSObject bag when bag.TypeNames.Contains(Prefix + typeof(T).FullName, StringComparer.OrdinalIgnoreCase) => convert(bag),
                // Serialized too shallow (without the module's type data): the element is only its text.
                _ => throw new PSInvalidCastException(
                    $"The {name} of this result were serialized as text ('{item}'), not as objects: serialize it where the MilkCheck module is loaded."),
            });
        }
        return converted;
    }
}
