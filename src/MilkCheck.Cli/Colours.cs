namespace MilkCheck.Cli;

/// <summary>Upstream's ANSI colours (spec §5.5), or plain text when off.</summary>
internal sealed class Colours
{
    public const string Green = "\u001b[0;32m";
    public const string Yellow = "\u001b[0;33m";
    public const string Red = "\u001b[0;31m";
    public const string Magenta = "\u001b[0;35m";
    public const string Cyan = "\u001b[0;36m";
    private const string Reset = "\u001b[0m";

    public Colours(bool enabled) => Enabled = enabled;

    public bool Enabled { get; }

    public string Paint(string text, string colour) => Enabled ? colour + text + Reset : text;
}
