; Inno Setup 6 script of KHIT Desktop (Inno Setup 6.5 or newer).
;
; Built by installer\build.ps1 after PyInstaller made dist\KHIT Desktop\ from installer\khit.spec:
;   iscc /DAppVersion=0.1.0 "/DBundleDir=...\dist\KHIT Desktop" /DVietnameseIsl=...\Vietnamese.isl installer\khit.iss
; Every /D is optional: the version is then read from KHIT Desktop.exe (its version resource
; comes from khit_desktop.__version__ through the spec), the bundle is taken from ..\dist, and
; without VietnameseIsl the wizard's own buttons and pages are in English (Inno's Default.isl)
; while every text of this script stays Vietnamese.
;
; Vietnamese.isl is not part of Inno Setup's installation: it is one of Inno Setup's unofficial
; translations (Files/Languages/Unofficial/Vietnamese.isl in the Inno Setup source repository,
; jrsoftware/issrc, also offered on the Inno Setup website's translations page). build.ps1
; downloads it, pinned to one commit, or takes the file given with -VietnameseIsl.
;
; Per user, no administrator: the program goes to %LOCALAPPDATA%\Programs\KHIT Desktop. The
; user's data (database, backups, attachments, settings, logs) lives in
; %LOCALAPPDATA%\KHIT\KHIT Desktop (khit_desktop\paths.py), never in the program folder; the
; uninstaller keeps it unless the user says, in a question whose default answer is No, to
; remove it. A silent uninstall always keeps it.

#define AppName "KHIT Desktop"
#define AppPublisher "KHIT"
#define AppExeName "KHIT Desktop.exe"
#define CliExeName "khit.exe"
; platformdirs.user_data_dir("KHIT Desktop", "KHIT", roaming=False) on Windows
#define DataDir "{localappdata}\KHIT\KHIT Desktop"

#ifndef BundleDir
  #define BundleDir AddBackslash(SourcePath) + "..\dist\KHIT Desktop"
#endif
#if !FileExists(AddBackslash(BundleDir) + AppExeName)
  #error "No KHIT Desktop.exe in BundleDir: run PyInstaller with installer\khit.spec first (installer\build.ps1 does both)."
#endif
#ifndef AppVersion
  #define AppVersion GetStringFileInfo(AddBackslash(BundleDir) + AppExeName, "ProductVersion")
#endif
#if AppVersion == ""
  #error "No version: pass /DAppVersion=... or build KHIT Desktop.exe with its version resource."
#endif

[Setup]
AppId={{0DD17FDE-C709-45EC-9D42-0705BE21C50F}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher={#AppPublisher}
VersionInfoVersion={#AppVersion}
VersionInfoProductName={#AppName}
VersionInfoDescription=Cài đặt {#AppName}
; per user, no UAC prompt: %LOCALAPPDATA%\Programs\KHIT Desktop
PrivilegesRequired=lowest
DefaultDirName={localappdata}\Programs\{#AppName}
UsePreviousAppDir=yes
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
ShowLanguageDialog=no
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
; Qt 6 runs on Windows 10 and newer
MinVersion=10.0
WizardStyle=modern
SetupIconFile=..\resources\icons\khit.ico
UninstallDisplayIcon={app}\{#AppExeName}
UninstallDisplayName={#AppName}
OutputDir=..\dist\installer
OutputBaseFilename=KHIT-Desktop-{#AppVersion}-Setup
Compression=lzma2/max
SolidCompression=yes
; the program must be closed to be replaced or removed (Windows Restart Manager)
CloseApplications=yes
RestartApplications=no

[Languages]
#ifdef VietnameseIsl
; Default.isl first: a message the translation lacks falls back to English instead of failing
Name: "vietnamese"; MessagesFile: "compiler:Default.isl,{#VietnameseIsl}"
#else
Name: "english"; MessagesFile: "compiler:Default.isl"
#endif

[CustomMessages]
; Without a language prefix: Vietnamese whatever the wizard's language is.
KhitAdditionalIcons=Lối tắt:
KhitDesktopIcon=Tạo lối tắt KHIT Desktop trên màn hình nền (Desktop)
KhitLaunch=Mở KHIT Desktop ngay
KhitUninstall=Gỡ cài đặt KHIT Desktop
KhitDataFolder=Thư mục dữ liệu KHIT Desktop
KhitRemoveDataQuestion=Có xóa luôn DỮ LIỆU của KHIT Desktop không?%n%nThư mục dữ liệu:%n%1%n%nThư mục này chứa cơ sở dữ liệu (các kỳ đánh giá, điểm, phiếu đã tiếp nhận), bản sao lưu, tệp đính kèm, cài đặt và nhật ký. Đã xóa thì không khôi phục được.%n%nChọn "Không" (mặc định) để GIỮ LẠI dữ liệu: cài lại chương trình sẽ dùng tiếp dữ liệu này.
KhitRemoveDataConfirm=Xác nhận lần cuối: xóa vĩnh viễn thư mục%n%1%nvà mọi thứ trong đó?
KhitDataKept=Dữ liệu của KHIT Desktop được giữ lại trong:%n%1

[Tasks]
Name: "desktopicon"; Description: "{cm:KhitDesktopIcon}"; GroupDescription: "{cm:KhitAdditionalIcons}"

[Files]
; the whole one-folder bundle: both programs, _internal\ (Python, Qt, resources, migrations)
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Dirs]
; made now so that the Start-menu shortcut to it works before the first start; never removed
; by the uninstaller itself (see [Code])
Name: "{#DataDir}"; Flags: uninsneveruninstall

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\{#AppExeName}"; WorkingDir: "{userdocs}"; Comment: "Thẩm định, xếp hạng mức độ ứng dụng CNTT"
Name: "{group}\{cm:KhitDataFolder}"; Filename: "{#DataDir}"
Name: "{group}\{cm:KhitUninstall}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExeName}"; WorkingDir: "{userdocs}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExeName}"; Description: "{cm:KhitLaunch}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; only the program folder; the data folder is handled in [Code]
Type: dirifempty; Name: "{app}"

[Code]
var
  RemoveData: Boolean;

function DataFolder(): String;
begin
  Result := ExpandConstant('{#DataDir}');
end;

{ Asked once, before anything is removed. The default answer keeps the data; a silent
  uninstall (/SILENT, /VERYSILENT) never removes it. }
function InitializeUninstall(): Boolean;
begin
  Result := True;
  RemoveData := False;
  if UninstallSilent() or not DirExists(DataFolder()) then
    Exit;
  if MsgBox(FmtMessage(CustomMessage('KhitRemoveDataQuestion'), [DataFolder()]),
            mbConfirmation, MB_YESNO or MB_DEFBUTTON2) = IDYES then
    RemoveData := MsgBox(FmtMessage(CustomMessage('KhitRemoveDataConfirm'), [DataFolder()]),
                         mbError, MB_YESNO or MB_DEFBUTTON2) = IDYES;
end;

procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
begin
  if CurUninstallStep <> usPostUninstall then
    Exit;
  if RemoveData then
  begin
    DelTree(DataFolder(), True, True, True);
    RemoveDir(ExpandConstant('{localappdata}\KHIT'));  { only if nothing else is left there }
  end
  else if not UninstallSilent() and DirExists(DataFolder()) then
    MsgBox(FmtMessage(CustomMessage('KhitDataKept'), [DataFolder()]), mbInformation, MB_OK);
end;
