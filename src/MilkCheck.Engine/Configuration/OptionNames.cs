namespace MilkCheck.Configuration;

/// <summary>
/// How the front end that runs the engine names its options, for the engine's messages that tell what to pass: the
/// cmdlets say <c>-Define</c>, the <c>milkcheck</c> command says <c>-D</c>, as upstream. The engine itself speaks of
/// the configuration; only these words come from the front end.
/// </summary>
public sealed record OptionNames(string Define, string Node, string ExcludeNode, string Fanout, string Path)
{
    /// <summary>The PowerShell cmdlets' parameters.</summary>
    public static readonly OptionNames Cmdlet = new("-Define", "-Node", "-ExcludeNode", "-Fanout", "-Path");

    /// <summary>Upstream's command line (<c>milkcheck</c>).</summary>
    public static readonly OptionNames Command = new("-D", "-n", "-x", "-f", "-c");

    /// <summary>What an undefined run-time variable's message adds: where a value can come from.</summary>
    public string UndefinedVariableHint => $": declare it under 'variables:' or pass it with {Define}.";
}
