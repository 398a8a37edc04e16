namespace MilkCheck.Configuration;

/// <summary>The end-of-run report asked for by <c>report:</c> (spec §5.4.5).</summary>
public enum ReportMode
{
    /// <summary><c>no</c>: no report.</summary>
    No,
    /// <summary><c>default</c>: counts and failed actions.</summary>
    Default,
    /// <summary><c>full</c>: the default report plus every failed node.</summary>
    Full,
}

/// <summary>How remote commands reach their nodes (<c>transport:</c>, beyond upstream).</summary>
public enum TransportKind
{
    /// <summary><c>sshnet</c>: SSH.NET, one reused connection per node.</summary>
    SshNet,
    /// <summary><c>openssh</c>: one <c>ssh</c> process per command.</summary>
    OpenSsh,
}

/// <summary>
/// The global configuration (<c>milkcheck.conf</c>, spec §2.2, plus the SSH keys of the design's §5). Immutable:
/// build variants with <c>with</c>.
/// </summary>
public sealed record GlobalConfiguration
{
    /// <summary>Upstream's default service directory.</summary>
    public const string DefaultConfigDir = "/etc/milkcheck/conf";

    private static readonly IReadOnlyList<string> DefaultReverseActions = Array.AsReadOnly(new[] { "stop" });

    /// <summary>Every value at its default; <see cref="SourceFile"/> is null.</summary>
    public static GlobalConfiguration Default { get; } = new();

    /// <summary>Directory of the service YAML files (<c>config_dir</c>).</summary>
    public string ConfigDir { get; init; } = DefaultConfigDir;

    /// <summary>Default maximum of concurrent node commands (<c>fanout</c>).</summary>
    public int Fanout { get; init; } = 64;

    /// <summary>Actions run in reversed dependency order (<c>reverse_actions</c>).</summary>
    public IReadOnlyList<string> ReverseActions { get; init; } = DefaultReverseActions;

    /// <summary>Actions that ask one confirmation before the run (<c>confirm_actions</c>).</summary>
    public IReadOnlyList<string> ConfirmActions { get; init; } = Array.Empty<string>();

    /// <summary>End-of-run report (<c>report</c>).</summary>
    public ReportMode Report { get; init; } = ReportMode.No;

    /// <summary>
    /// <c>summary</c>: accepted and kept, but upstream ignores it when it comes from the file (spec §6 item 24),
    /// so nothing should act on it.
    /// </summary>
    public bool Summary { get; init; }

    /// <summary>SSH implementation (<c>transport</c>).</summary>
    public TransportKind Transport { get; init; } = TransportKind.SshNet;

    /// <summary>Connect timeout per node: TCP, banner, key exchange and authentication (<c>connect_timeout</c>).</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Most channels opened at once on one SSH connection (<c>max_sessions</c>).</summary>
    public int MaxSessions { get; init; } = 10;

    /// <summary>
    /// How long an SSH connection stays open after the last run that used it, for the next runs of the same
    /// PowerShell session (<c>connection_persist</c>, beyond upstream; default 60 s; zero closes them at the end of the run).
    /// </summary>
    public TimeSpan ConnectionPersist { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Every run that executes something writes its journal (<c>journal</c>, default true).</summary>
    public bool Journal { get; init; } = true;

    /// <summary>
    /// Where journals go (<c>journal_dir</c>); null: <c>$XDG_STATE_HOME/milkcheck/runs</c>, else
    /// <c>~/.local/state/milkcheck/runs</c>.
    /// </summary>
    public string? JournalDir { get; init; }

    /// <summary>How many runs' journals are kept, the oldest removed after a run (<c>journal_keep</c>, default 200).</summary>
    public int JournalKeep { get; init; } = 200;

    /// <summary>The default of <see cref="MaxNodes"/>: 100,000 nodes per target.</summary>
    public const int DefaultMaxNodes = 100_000;

    /// <summary>
    /// Most nodes one target (or one name pattern) may hold (<c>max_nodes</c>, beyond upstream); a larger one is a
    /// configuration error before anything runs, so a typo such as <c>node[1-999999999]</c> never reaches a run.
    /// </summary>
    public int MaxNodes { get; init; } = DefaultMaxNodes;

    /// <summary>The file these values were read from; null when no file was read.</summary>
    public string? SourceFile { get; init; }
}
