using MilkCheck.NodeSets;

namespace MilkCheck.Scheduling;

/// <summary>What one run is asked to do: upstream's command line (spec §4.10, §5.2) as typed values.</summary>
internal sealed record RunOptions
{
    public required string Action { get; init; }

    /// <summary>Entry services (top-level or dotted member names); empty: every root.</summary>
    public IReadOnlyList<string> Services { get; init; } = Array.Empty<string>();

    /// <summary><c>-n</c>: every target is intersected with it.</summary>
    public NodeSet? Nodes { get; init; }

    /// <summary><c>-x</c>: removed from every target.</summary>
    public NodeSet? ExcludedNodes { get; init; }

    /// <summary><c>-X</c>: top-level short names that become Locked.</summary>
    public IReadOnlyList<string> ExcludedServices { get; init; } = Array.Empty<string>();

    /// <summary><c>-t</c>: top-level entities carrying none of these tags are skipped.</summary>
    public IReadOnlyList<string> Tags { get; init; } = Array.Empty<string>();

    /// <summary><c>-D name=value</c>: root variables replacing file-level ones.</summary>
    public IReadOnlyDictionary<string, string> Defines { get; init; } = new Dictionary<string, string>();

    /// <summary><c>--nodeps</c>: entries lose their predecessors.</summary>
    public bool NoDependencies { get; init; }

    /// <summary>Replaces the global default fanout (milkcheck.conf, else 64).</summary>
    public int? Fanout { get; init; }

    /// <summary>-ErrorAction Stop: the first Error/Timeout/DependencyError ends the run as a cancellation does.</summary>
    public bool StopAtFirstFailure { get; init; }

    /// <summary>How the front end names its options, for messages that say what to pass.</summary>
    public Configuration.OptionNames Names { get; init; } = Configuration.OptionNames.Cmdlet;

    /// <summary>
    /// <c>--dry-run</c>: every node runs <c>:</c> instead of the command (spec §4.2.7); results still show the real command.
    /// </summary>
    public bool DryRun { get; init; }

    /// <summary>Told of each value the run's resolution changed and each <c>%(...)</c> it ran (the milkcheck command's
    /// -vv/-vvv logs).</summary>
    public Variables.ISubstitutionLog? Substitutions { get; init; }
}

/// <summary>A run cannot start: the message says what to change; nothing has run.</summary>
internal sealed class RunSetupException : Exception
{
    public RunSetupException(string errorId, string message, object? target = null) : base(message)
    {
        ErrorId = errorId;
        Target = target;
    }

    /// <summary>The stable ErrorId the cmdlet writes (MilkCheck.UnknownService, MilkCheck.ConfigurationInvalid…).</summary>
    public string ErrorId { get; }

    public object? Target { get; }
}
