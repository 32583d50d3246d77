"""The operations layer: every change to a project as a small typed, undoable object.

The CLI, the Python API and the web console all change a project through
:class:`Project.apply <postprod.operations.session.Project.apply>`; none holds
editing logic of its own. Operations are grouped by family (placing, removing,
trimming, transitions, picture, markers, ...); :mod:`.registry` names them all.
"""

from postprod.operations.base import Operation, Parameter, apply_operations, param
from postprod.operations.clip import (
    AddClipEffect,
    ClearClipEffects,
    ClipFade,
    ClipGain,
    RemoveClipEffect,
)
from postprod.operations.linking import Link, Unlink
from postprod.operations.markers import AddMarker, RemoveMarker
from postprod.operations.media import AddClip, AddTwin, SetMedia, save_new_project
from postprod.operations.mixer import (
    AddAutomation,
    AddBus,
    AddInsert,
    AddSend,
    ClearAutomation,
    MoveInsert,
    RemoveBus,
    RemoveInsert,
    RemoveSend,
    RouteBus,
    SetBus,
    SetInsert,
    SetSend,
    SetStrip,
)
from postprod.operations.picture import AddTitle, SetPicture
from postprod.operations.placing import Append, Insert, Overwrite, Replace
from postprod.operations.project import ProjectInfo, SetTimeline, new_project, project_info
from postprod.operations.registry import OPERATIONS, operation_from_dict
from postprod.operations.removing import CloseGaps, Extract, ExtractRange, JumpCut, Lift
from postprod.operations.session import Project
from postprod.operations.timing import Freeze, Reverse, Speed
from postprod.operations.tracks import (
    AddTrack,
    ArmTrack,
    LockTrack,
    MoveTrack,
    RemoveTrack,
    RenameTrack,
    TrackInfo,
    track_infos,
)
from postprod.operations.transitions import AddTransition, RemoveTransition
from postprod.operations.trimming import Move, Roll, SetRange, Slide, Slip, Split, Trim

__all__ = [
    "OPERATIONS",
    "AddAutomation",
    "AddBus",
    "AddClip",
    "AddClipEffect",
    "AddInsert",
    "AddMarker",
    "AddSend",
    "AddTitle",
    "AddTrack",
    "AddTransition",
    "AddTwin",
    "Append",
    "ArmTrack",
    "ClearAutomation",
    "ClearClipEffects",
    "ClipFade",
    "ClipGain",
    "CloseGaps",
    "Extract",
    "ExtractRange",
    "Freeze",
    "Insert",
    "JumpCut",
    "Lift",
    "Link",
    "LockTrack",
    "Move",
    "MoveInsert",
    "MoveTrack",
    "Operation",
    "Overwrite",
    "Parameter",
    "Project",
    "ProjectInfo",
    "RemoveBus",
    "RemoveClipEffect",
    "RemoveInsert",
    "RemoveMarker",
    "RemoveSend",
    "RemoveTrack",
    "RemoveTransition",
    "RenameTrack",
    "Replace",
    "Reverse",
    "Roll",
    "RouteBus",
    "SetBus",
    "SetInsert",
    "SetMedia",
    "SetPicture",
    "SetRange",
    "SetSend",
    "SetStrip",
    "SetTimeline",
    "Slide",
    "Slip",
    "Speed",
    "Split",
    "TrackInfo",
    "Trim",
    "Unlink",
    "apply_operations",
    "new_project",
    "operation_from_dict",
    "param",
    "project_info",
    "save_new_project",
    "track_infos",
]
