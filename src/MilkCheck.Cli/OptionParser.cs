using System.Globalization;
using MilkCheck.Configuration;
using MilkCheck.NodeSets;

namespace MilkCheck.Cli;

/// <summary>
/// Reads upstream's command line as Python's optparse does (spec §5.2): options and arguments interleaved,
/// combined short options (<c>-vvx node1</c>), attached values (<c>-nnode1</c>, <c>--report=full</c>), unique
/// prefixes of long options (<c>--verb</c>), <c>--</c> ending options, and optparse's error texts.
/// </summary>
internal sealed class OptionParser
{
    private sealed record Option(string? Short, string[] Longs, bool TakesValue, Action<CliOptions, string, string> Apply);

    private readonly List<Option> _options;
    private readonly Func<string, NodeSet> _parseNodeSet;

    /// <param name="parseNodeSet">Parses -n/-x values (throws <see cref="NodeSetParseException"/> or <see cref="GroupResolverException"/>).</param>
    public OptionParser(Func<string, NodeSet> parseNodeSet)
    {
        _parseNodeSet = parseNodeSet;
        _options = new List<Option>
        {
            new(null, new[] { "--version" }, false, (o, _, _) => o.Version = true),
            new("-h", new[] { "--help" }, false, (o, _, _) => o.Help = true),
            new("-v", new[] { "--verbose" }, false, (o, _, _) => o.Verbosity++),
            new("-d", new[] { "--debug" }, false, (o, _, _) => o.Verbosity = 5),
            new("-g", new[] { "--graph" }, false, (o, _, _) => o.Graph = true),
            new("-s", new[] { "--summary" }, false, (o, _, _) => o.Report = ReportMode.Default),
            new("-r", new[] { "--report" }, true, (o, _, v) => o.Report = v switch
            {
                "no" => ReportMode.No,
                "default" => ReportMode.Default,
                "full" => ReportMode.Full,
                _ => throw new OptionException(" -r/--report should be \"no\", \"default\" or \"full\""),
            }),
            new("-c", new[] { "--config-dir" }, true, (o, _, v) =>
            {
                if (v.Length == 0 || !Directory.Exists(v))
                    throw new OptionException(" -c/--config-dir should be a valid directory");
                o.ConfigDir = v;
            }),
            new("-q", new[] { "--quiet" }, false, (o, _, _) => o.Verbosity = 0),
            new("-y", new[] { "--assumeyes" }, false, (o, _, _) => o.AssumeYes = true),
            new("-n", new[] { "--only-nodes" }, true, (o, _, v) => o.OnlyNodes = NodeSetOption(v)),
            new("-x", new[] { "--exclude-nodes" }, true, (o, _, v) => o.ExcludedNodes = NodeSetOption(v)),
            new("-X", new[] { "--exclude-service" }, true, (o, _, v) => o.ExcludedServices.Add(v)),
            new(null, new[] { "--dry-run" }, false, (o, _, _) => o.DryRun = true),
            new("-D", new[] { "--define", "--var" }, true, (o, name, v) =>
            {
                // Upstream crashes (exit 12) on a define without '='; an option error says what to change instead.
                if (v.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault(d => d.IndexOf('=') <= 0) is { } bad)
                    throw new OptionException($" option {name}: '{bad}' is not name=value");
                o.Defines.Add(v);
            }),
            new(null, new[] { "--nodeps" }, false, (o, _, _) => o.NoDependencies = true),
            new("-t", new[] { "--tags" }, true, (o, _, v) =>
            {
                foreach (string tag in v.Split(','))
                {
                    if (!o.Tags.Contains(tag))
                        o.Tags.Add(tag);
                }
            }),
            new(null, new[] { "--nagios" }, false, (o, _, _) => o.Nagios = true),
            new(null, new[] { "--timeout" }, true, (o, name, v) =>
            {
                if (!double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) || double.IsNaN(seconds) || double.IsInfinity(seconds))
                    throw new OptionException($" option {name}: invalid floating-point value: '{v}'");
                if (seconds <= 0 || seconds > int.MaxValue / 1000.0)
                    throw new OptionException($" option {name}: give a number of seconds above 0");
                o.Timeout = TimeSpan.FromSeconds(seconds);
            }),
        };
    }

    /// <summary>Reads <paramref name="args"/>; throws <see cref="OptionException"/> at the first bad option.</summary>
    public CliOptions Parse(IReadOnlyList<string> args)
    {
        var options = new CliOptions();
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (arg == "--")
            {
                options.Arguments.AddRange(args.Skip(i + 1));
                break;
            }
            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                int equals = arg.IndexOf('=');
                string typed = equals < 0 ? arg : arg[..equals];
                string name = MatchLong(typed);
                Option option = _options.First(o => o.Longs.Contains(name));
                if (option.TakesValue)
                {
                    string value;
                    if (equals >= 0)
                        value = arg[(equals + 1)..];
                    else if (i + 1 < args.Count)
                        value = args[++i];
                    else
                        throw new OptionException($" {name} option requires 1 argument");
                    option.Apply(options, name, value);
                }
                else
                {
                    if (equals >= 0)
                        throw new OptionException($" {name} option does not take a value");
                    option.Apply(options, name, string.Empty);
                }
                if (options.Help || options.Version)
                    return options; // optparse prints and exits at once: later arguments are never read
            }
            else if (arg.Length > 1 && arg[0] == '-')
            {
                for (int at = 1; at < arg.Length; at++)
                {
                    string name = "-" + arg[at];
                    Option option = _options.FirstOrDefault(o => o.Short == name) ?? throw new OptionException($" no such option: {name}");
                    if (!option.TakesValue)
                    {
                        option.Apply(options, name, string.Empty);
                        if (options.Help)
                            return options;
                        continue;
                    }
                    string value;
                    if (at + 1 < arg.Length)
                        value = arg[(at + 1)..];
                    else if (i + 1 < args.Count)
                        value = args[++i];
                    else
                        throw new OptionException($" {name} option requires 1 argument");
                    option.Apply(options, name, value);
                    break;
                }
            }
            else
            {
                options.Arguments.Add(arg);
            }
        }
        return options;
    }

    /// <summary>An exact long option, or the only one it is a prefix of (optparse's abbreviations).</summary>
    private string MatchLong(string typed)
    {
        var all = _options.SelectMany(o => o.Longs).ToList();
        if (all.Contains(typed))
            return typed;
        var candidates = all.Where(l => l.StartsWith(typed, StringComparison.Ordinal)).OrderBy(l => l, StringComparer.Ordinal).ToList();
        return candidates.Count switch
        {
            0 => throw new OptionException($" no such option: {typed}"),
            1 => candidates[0],
            _ => throw new OptionException($" ambiguous option: {typed} ({string.Join(", ", candidates)}?)"),
        };
    }

    private NodeSet NodeSetOption(string value)
    {
        try
        {
            return _parseNodeSet(value);
        }
        catch (NodeSetParseException)
        {
            throw new OptionException($"{value} is not a valid nodeset");
        }
        catch (GroupResolverException e)
        {
            throw new OptionException($"{e.Message} uses a wrong group");
        }
    }
}
