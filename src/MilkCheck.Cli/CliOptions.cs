using MilkCheck.Configuration;
using MilkCheck.NodeSets;

namespace MilkCheck.Cli;

/// <summary>The command line once read, as upstream's optparse leaves it (spec §5.2).</summary>
internal sealed class CliOptions
{
    /// <summary>-q 0, default 1, each -v one more, -d 5; applied left to right.</summary>
    public int Verbosity { get; set; } = 1;

    public bool Help { get; set; }

    public bool Version { get; set; }

    public bool Graph { get; set; }

    /// <summary>-s or -r: the last one wins; null when neither was given (milkcheck.conf decides).</summary>
    public ReportMode? Report { get; set; }

    /// <summary>-c, checked to be an existing directory while reading; null: milkcheck.conf's config_dir.</summary>
    public string? ConfigDir { get; set; }

    public bool AssumeYes { get; set; }

    public NodeSet? OnlyNodes { get; set; }

    public NodeSet? ExcludedNodes { get; set; }

    public List<string> ExcludedServices { get; } = new();

    public bool DryRun { get; set; }

    /// <summary>Each -D/--define/--var value as given (one or more <c>name=value</c> separated by spaces).</summary>
    public List<string> Defines { get; } = new();

    public bool NoDependencies { get; set; }

    /// <summary>-t values split on commas, accumulated, first occurrence order.</summary>
    public List<string> Tags { get; } = new();

    /// <summary>--nagios (or the check_milkcheck name): plugin output and exit codes.</summary>
    public bool Nagios { get; set; }

    /// <summary>--timeout: the whole run stops after this long.</summary>
    public TimeSpan? Timeout { get; set; }

    /// <summary>[SERVICE...] ACTION, or the services to draw with -g.</summary>
    public List<string> Arguments { get; } = new();
}

/// <summary>
/// An option error: the text optparse would give. Errors that optparse reports itself carry its leading space
/// (<c> no such option: --bogus</c>); upstream's own checks of node sets do not (spec §5.2).
/// </summary>
internal sealed class OptionException : Exception
{
    public OptionException(string message) : base(message)
    {
    }
}
