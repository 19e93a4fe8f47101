package erlang_test
import ("fmt";"testing";"github.com/floorwatch/floorwatch/erlang")
func TestPrint(t *testing.T){
 r:=100.0/1800
 for n:=10;n<=15;n++{ fmt.Printf("n=%d C=%.4f SL=%.4f ASA=%.2f\n",n,erlang.C(n,10),erlang.ServiceLevel(n,r,180,20),erlang.ASA(n,r,180)) }
 fmt.Println("need", erlang.AgentsNeeded(r,180,20,0.8))
 fmt.Printf("B(10,10)=%.4f B(15,10)=%.4f\n", erlang.B(10,10), erlang.B(15,10))
 m:=erlang.NewA(2,1,1,1); a,b:=m.Within(1e9); fmt.Println(m.PWait(),m.PAbandon(),m.MeanQueue(),a,b,m.PAnswered(),m.ASA())
 m=erlang.NewA(11,r,180,1e12); fmt.Println(m.PWait(),m.PAbandon(),m.ASA(),m.ServiceLevel(20))
 m=erlang.NewA(11,r,180,0); fmt.Println(m.PWait(),m.PAbandon(),m.ASA(),m.ServiceLevel(20))
 m=erlang.NewA(10,r,180,120); a,b=m.Within(20); fmt.Println(m.PWait(),m.PAbandon(),m.ASA(),a,b, m.MeanQueue()/120/r)
}
