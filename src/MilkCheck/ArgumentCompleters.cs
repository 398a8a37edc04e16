using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using MilkCheck.Configuration;

namespace MilkCheck;

/// <summary>Completes names from the configuration at -Path (or the default); never connects anywhere.</summary>
public abstract class ConfigurationCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        string path = fakeBoundParameters["Path"] as string
            ?? GlobalConfigurationLoader.Load(GlobalConfigurationLocator.ResolveGlobalConfigurationPath()).Configuration.ConfigDir;
        if (!Directory.Exists(path) && !File.Exists(path))
            return Array.Empty<CompletionResult>();
        MilkCheckConfiguration configuration;
        try
        {
            configuration = MilkCheckConfiguration.Load(path, runCommands: false); // completion never runs commands
        }
        catch (IOException)
        {
            return Array.Empty<CompletionResult>();
        }
        var pattern = new WildcardPattern(wordToComplete.Trim('\'', '"') + "*", WildcardOptions.IgnoreCase);
        return Names(configuration).Where(pattern.IsMatch).Select(name =>
            new CompletionResult(Quote(name), name, CompletionResultType.ParameterValue, name)).ToArray();
    }

    protected abstract IEnumerable<string> Names(MilkCheckConfiguration configuration);

    private static string Quote(string name) =>
        name.Any(c => char.IsWhiteSpace(c) || "'\"`$(){}[],;@#&|<>".Contains(c)) ? "'" + name.Replace("'", "''") + "'" : name;
}

/// <summary>Full dotted names of services and groups.</summary>
public sealed class ServiceNameCompleter : ConfigurationCompleter
{
    protected override IEnumerable<string> Names(MilkCheckConfiguration configuration) => configuration.EntityNames;
}

/// <summary>Action names defined in the configuration.</summary>
public sealed class ActionNameCompleter : ConfigurationCompleter
{
    protected override IEnumerable<string> Names(MilkCheckConfiguration configuration) => configuration.ActionNames;
}
