import GateCore
import GateVision
import GateStore
