<#
.SYNOPSIS
    Builds the module's MAML help (en-US/MilkCheck.dll-Help.xml) from docs/help/<Cmdlet>.md and the cmdlets'
    own metadata, and copies the about_*.help.txt topics.
.DESCRIPTION
    Runs in a fresh pwsh that imports the BUILT module: syntax, types, positions, pipeline input, aliases and
    wildcard support come from the cmdlets themselves (they cannot drift), the words from the markdown files.
    A markdown file has these sections, in any order:

        # Verb-Noun
        ## SYNOPSIS          one paragraph
        ## DESCRIPTION       paragraphs
        ## PARAMETERS        then "### -Name" and its paragraphs, one per parameter
        ## EXAMPLES          then "### Example N: title", a ```powershell fence, then remarks
        ## NOTES             optional paragraphs
        ## RELATED LINKS     optional "- Name" lines (other cmdlets or about_ topics; no web addresses)

    An exported cmdlet without a markdown file is skipped with a warning; a missing section, a parameter without
    its "### -Name" section or a "### -Name" for a parameter the cmdlet does not have is warned about too. The
    build goes on; tests/pester/Help.Tests.ps1 fails on any of them.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $SourcePath,
    [string] $Culture = 'en-US'
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$module = Import-Module (Join-Path $ModulePath 'MilkCheck.psd1') -PassThru -Force
# -WhatIf and -Confirm are documented like the cmdlet's own parameters: what they do differs per cmdlet.
$common = [System.Management.Automation.PSCmdlet]::CommonParameters + 'UseTransaction'

function Read-HelpMarkdown([string] $Path) {
    $doc = @{ Sections = [ordered]@{}; Parameters = [ordered]@{}; Examples = [System.Collections.Generic.List[object]]::new() }
    $section = $null; $sub = $null; $buffer = [System.Collections.Generic.List[string]]::new()
    $flush = {
        $text = ($buffer -join "`n").Trim()
        if ($section -eq 'PARAMETERS' -and $sub) { $doc.Parameters[$sub.TrimStart('-')] = $text }
        elseif ($section -eq 'EXAMPLES' -and $sub) {
            if ($text -notmatch '(?s)^```powershell\n(?<code>.*?)\n```\s*(?<remarks>.*)$') { throw "${Path}: example '$sub' needs a ``````powershell fence first." }
            $doc.Examples.Add([pscustomobject]@{ Title = $sub; Code = $Matches.code.Trim(); Remarks = $Matches.remarks.Trim() })
        }
        elseif ($section -and -not $sub) { $doc.Sections[$section] = $text }
        $buffer.Clear()
    }
    $inFence = $false
    foreach ($line in (Get-Content -LiteralPath $Path)) {
        if ($line.StartsWith('```')) { $inFence = -not $inFence }
        if (-not $inFence -and $line -match '^## (.+)$') { & $flush; $section = $Matches[1].Trim().ToUpperInvariant(); $sub = $null; continue }
        if (-not $inFence -and $line -match '^### (.+)$') { & $flush; $sub = $Matches[1].Trim(); continue }
        if (-not $inFence -and $line -match '^# ') { continue }
        $buffer.Add($line)
    }
    & $flush
    return $doc
}

function Get-Paragraphs([string] $Text) {
    if ([string]::IsNullOrWhiteSpace($Text)) { return @() }
    # Blank lines separate paragraphs; a list item or an indented line keeps its own line.
    return @(($Text -split "`n\s*`n") | ForEach-Object { ($_ -split "`n" | ForEach-Object TrimEnd) -join "`n" })
}

$maml = 'http://schemas.microsoft.com/maml/2004/10'
$cmd = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
$dev = 'http://schemas.microsoft.com/maml/dev/2004/10'

$settings = [System.Xml.XmlWriterSettings]::new()
$settings.Indent = $true
$settings.Encoding = [System.Text.UTF8Encoding]::new($false)
$outDir = Join-Path $ModulePath $Culture
New-Item -ItemType Directory -Force -Path $outDir | Out-Null
$target = Join-Path $outDir 'MilkCheck.dll-Help.xml'
$writer = [System.Xml.XmlWriter]::Create($target, $settings)

function Write-Paras([string] $Text) {
    $writer.WriteStartElement('maml', 'description', $maml)
    foreach ($para in (Get-Paragraphs $Text)) { $writer.WriteElementString('maml', 'para', $maml, $para) }
    $writer.WriteEndElement()
}

function Write-Parameter($Parameter, $SetParameter, [string] $Text, [bool] $InSyntax) {
    $attributes = $Parameter.Attributes
    $pipeline = @()
    $byValue = @($Parameter.ParameterSets.Values | Where-Object ValueFromPipeline).Count -gt 0
    $byName = @($Parameter.ParameterSets.Values | Where-Object ValueFromPipelineByPropertyName).Count -gt 0
    if ($byValue) { $pipeline += 'ByValue' }
    if ($byName) { $pipeline += 'ByPropertyName' }
    $pipelineText = if ($pipeline) { "True ($($pipeline -join ', '))" } else { 'False' }
    $metadata = if ($SetParameter) { $SetParameter } else { @($Parameter.ParameterSets.Values)[0] }
    $required = [bool]($metadata.IsMandatory)
    $position = if ($metadata.Position -ge 0) { "$($metadata.Position)" } else { 'named' }
    $globbing = @($attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] }).Count -gt 0
    $aliases = if ($Parameter.Aliases.Count) { $Parameter.Aliases -join ', ' } else { 'none' }
    $isSwitch = $Parameter.ParameterType -eq [System.Management.Automation.SwitchParameter]
    $writer.WriteStartElement('command', 'parameter', $cmd)
    $writer.WriteAttributeString('required', "$required".ToLowerInvariant())
    $writer.WriteAttributeString('variableLength', "$($Parameter.ParameterType.IsArray)".ToLowerInvariant())
    $writer.WriteAttributeString('globbing', "$globbing".ToLowerInvariant())
    $writer.WriteAttributeString('pipelineInput', $pipelineText)
    $writer.WriteAttributeString('position', $position)
    $writer.WriteAttributeString('aliases', $aliases)
    $writer.WriteElementString('maml', 'name', $maml, $Parameter.Name)
    Write-Paras $Text
    $typeName = if ($Parameter.ParameterType.IsGenericType) { $Parameter.ParameterType.Name } else { $Parameter.ParameterType.Name }
    if (-not $isSwitch) {
        $writer.WriteStartElement('command', 'parameterValue', $cmd)
        $writer.WriteAttributeString('required', 'true')
        $writer.WriteAttributeString('variableLength', "$($Parameter.ParameterType.IsArray)".ToLowerInvariant())
        $writer.WriteString($typeName)
        $writer.WriteEndElement()
    }
    if ($Parameter.ParameterType.IsEnum) {
        $writer.WriteStartElement('command', 'parameterValueGroup', $cmd)
        foreach ($value in [Enum]::GetNames($Parameter.ParameterType)) {
            $writer.WriteStartElement('command', 'parameterValue', $cmd)
            $writer.WriteAttributeString('required', 'false'); $writer.WriteAttributeString('variableLength', 'false')
            $writer.WriteString($value); $writer.WriteEndElement()
        }
        $writer.WriteEndElement()
    }
    $writer.WriteStartElement('dev', 'type', $dev)
    $writer.WriteElementString('maml', 'name', $maml, $Parameter.ParameterType.FullName)
    $writer.WriteEndElement()
    if (-not $InSyntax) { $writer.WriteElementString('dev', 'defaultValue', $dev, 'None') }
    $writer.WriteEndElement()
}

$problems = [System.Collections.Generic.List[string]]::new()
$writer.WriteStartDocument()
$writer.WriteStartElement('helpItems', 'http://msh')
$writer.WriteAttributeString('schema', 'maml')
foreach ($name in ($module.ExportedCmdlets.Keys | Sort-Object)) {
    $command = Get-Command $name -Module MilkCheck
    $file = Join-Path $SourcePath "$name.md"
    if (-not (Test-Path -LiteralPath $file)) {
        $problems.Add("$name has no help file: write $file (copy another cmdlet's and adapt it).")
        continue
    }
    $doc = Read-HelpMarkdown $file
    foreach ($section in 'SYNOPSIS', 'DESCRIPTION') {
        if (-not $doc.Sections.Contains($section) -or -not $doc.Sections[$section]) { $problems.Add("${file}: the $section section is missing or empty.") }
    }
    if ($doc.Examples.Count -lt 2) { $problems.Add("${file}: $($doc.Examples.Count) example(s); every cmdlet has at least two.") }
    $parameters = @($command.Parameters.Values | Where-Object { $_.Name -notin $common })
    foreach ($parameter in $parameters) {
        if (-not $doc.Parameters.Contains($parameter.Name) -or -not $doc.Parameters[$parameter.Name]) { $problems.Add("${file}: parameter -$($parameter.Name) has no '### -$($parameter.Name)' description.") }
    }
    foreach ($described in $doc.Parameters.Keys) {
        if ($described -notin $parameters.Name) { $problems.Add("${file}: '### -$described' describes a parameter $name does not have.") }
    }

    $verb, $noun = $name -split '-', 2
    $writer.WriteStartElement('command', 'command', $cmd)
    $writer.WriteAttributeString('xmlns', 'maml', $null, $maml)
    $writer.WriteAttributeString('xmlns', 'dev', $null, $dev)
    $writer.WriteStartElement('command', 'details', $cmd)
    $writer.WriteElementString('command', 'name', $cmd, $name)
    $writer.WriteElementString('command', 'verb', $cmd, $verb)
    $writer.WriteElementString('command', 'noun', $cmd, $noun)
    Write-Paras ($doc.Sections['SYNOPSIS'])
    $writer.WriteEndElement()
    Write-Paras ($doc.Sections['DESCRIPTION'])

    $writer.WriteStartElement('command', 'syntax', $cmd)
    foreach ($set in $command.ParameterSets) {
        $writer.WriteStartElement('command', 'syntaxItem', $cmd)
        $writer.WriteElementString('maml', 'name', $maml, $name)
        $ordered = $set.Parameters | Where-Object { $_.Name -notin $common } |
            Sort-Object @{ Expression = { if ($_.Position -ge 0) { $_.Position } else { [int]::MaxValue } } }, @{ Expression = { -not $_.IsMandatory } }
        foreach ($setParameter in $ordered) {
            Write-Parameter $command.Parameters[$setParameter.Name] $setParameter ($doc.Parameters[$setParameter.Name]) $true
        }
        $writer.WriteEndElement()
    }
    $writer.WriteEndElement()

    $writer.WriteStartElement('command', 'parameters', $cmd)
    foreach ($parameter in $parameters) { Write-Parameter $parameter $null ($doc.Parameters[$parameter.Name]) $false }
    $writer.WriteEndElement()

    $writer.WriteStartElement('command', 'returnValues', $cmd)
    foreach ($type in $command.OutputType) {
        $writer.WriteStartElement('command', 'returnValue', $cmd)
        $writer.WriteStartElement('dev', 'type', $dev); $writer.WriteElementString('maml', 'name', $maml, $type.Name); $writer.WriteEndElement()
        $writer.WriteEndElement()
    }
    $writer.WriteEndElement()

    if ($doc.Sections.Contains('NOTES')) {
        $writer.WriteStartElement('maml', 'alertSet', $maml)
        $writer.WriteStartElement('maml', 'alert', $maml)
        foreach ($para in (Get-Paragraphs $doc.Sections['NOTES'])) { $writer.WriteElementString('maml', 'para', $maml, $para) }
        $writer.WriteEndElement(); $writer.WriteEndElement()
    }

    $writer.WriteStartElement('command', 'examples', $cmd)
    foreach ($example in $doc.Examples) {
        $writer.WriteStartElement('command', 'example', $cmd)
        $writer.WriteElementString('maml', 'title', $maml, "--- $($example.Title) ---")
        $writer.WriteElementString('dev', 'code', $dev, $example.Code)
        $writer.WriteStartElement('dev', 'remarks', $dev)
        foreach ($para in (Get-Paragraphs $example.Remarks)) { $writer.WriteElementString('maml', 'para', $maml, $para) }
        $writer.WriteEndElement()
        $writer.WriteEndElement()
    }
    $writer.WriteEndElement()

    $writer.WriteStartElement('command', 'relatedLinks', $cmd)
    if ($doc.Sections.Contains('RELATED LINKS')) {
        foreach ($link in ($doc.Sections['RELATED LINKS'] -split "`n" | Where-Object { $_ -match '^- ' })) {
            $writer.WriteStartElement('maml', 'navigationLink', $maml)
            $writer.WriteElementString('maml', 'linkText', $maml, $link.Substring(2).Trim())
            $writer.WriteElementString('maml', 'uri', $maml, '')
            $writer.WriteEndElement()
        }
    }
    $writer.WriteEndElement()
    $writer.WriteEndElement()
}
$writer.WriteEndElement()
$writer.WriteEndDocument()
$writer.Dispose()

foreach ($about in (Get-ChildItem -LiteralPath $SourcePath -Filter 'about_*.help.txt')) {
    Copy-Item -LiteralPath $about.FullName -Destination $outDir
}

# Incomplete help never breaks the build (a cmdlet may arrive from another branch before its page): each
# problem is said clearly here, and the help test (tests/pester/Help.Tests.ps1) fails on it.
foreach ($problem in $problems) { Write-Warning "HELP: $problem" }
Write-Host "Help written: $target ($($problems.Count) problem(s))"
